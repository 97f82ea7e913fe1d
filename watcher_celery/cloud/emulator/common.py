"""What every emulated service shares: the cloud handle, errors, microversions, links."""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from watcher_celery.errors import CloudError

# Nova's error body keys by status (what python-novaclient and openstacksdk read).
NOVA_FAULTS = {
    400: "badRequest",
    401: "unauthorized",
    404: "itemNotFound",
    409: "conflictingRequest",
}


def cloud():
    """This request's own handle on the simulated cloud (SQLite connections are per thread)."""
    if "sim" not in g:
        from watcher_celery.cloud.simulated import SimulatedCloud

        g.sim = SimulatedCloud(current_app.config["CLOUD_PATH"])
    return g.sim


def close_cloud(_exc=None) -> None:
    sim = g.pop("sim", None)
    if sim is not None:
        sim.close()


def base_url() -> str:
    return request.host_url.rstrip("/")


def fault(status: int, message: str):
    body = {NOVA_FAULTS.get(status, "computeFault"): {"code": status, "message": message}}
    response = jsonify(body)
    response.status_code = status
    return response


def cloud_error(exc: CloudError):
    """A refused operation: 404 when something is missing, else 409 like Nova's conflicts."""
    text = str(exc)
    return fault(404 if "could not be found" in text else 409, text)


def microversion(service: str, default: str, maximum: str) -> tuple[int, int]:
    """The microversion the client asked for (``OpenStack-API-Version``), bounded."""
    wanted = None
    header = request.headers.get("OpenStack-API-Version", "")
    for part in header.split(","):
        words = part.strip().split()
        if len(words) == 2 and words[0] == service:
            wanted = words[1]
    legacy = {
        "compute": "X-OpenStack-Nova-API-Version",
        "baremetal": "X-OpenStack-Ironic-API-Version",
    }
    wanted = wanted or request.headers.get(legacy.get(service, ""), None) or default
    if wanted == "latest":
        wanted = maximum
    major, minor = (int(x) for x in wanted.split("."))
    top = tuple(int(x) for x in maximum.split("."))
    return min((major, minor), top)


def versioned(response, service: str, version: tuple[int, int]):
    text = f"{version[0]}.{version[1]}"
    response.headers["OpenStack-API-Version"] = f"{service} {text}"
    response.headers["Vary"] = "OpenStack-API-Version"
    return response


def version_doc(ident: str, href: str, version: str = "", min_version: str = "") -> dict:
    return {
        "id": ident,
        "status": "CURRENT",
        "version": version,
        "min_version": min_version,
        "updated": "2026-01-01T00:00:00Z",
        "links": [{"rel": "self", "href": href}],
    }
