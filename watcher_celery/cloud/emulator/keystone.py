"""Keystone v3, the part clients need: password tokens with a service catalog.

Any user name and password are accepted (it is an emulator, reached on loopback only); each
token is remembered so the other services can refuse requests without one.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify, request

from watcher_celery.cloud.emulator.common import base_url, version_doc

bp = Blueprint("keystone", __name__, url_prefix="/identity")
PROJECT_ID = "9a1f3c0de5b84c6f8f2a7d1e0b4c3a21"
USER_ID = "5b0e8c7a1d2f4e3a9c6b8d7e0f1a2b3c"


def catalog(base: str) -> list[dict]:
    services = (
        ("identity", "keystone", f"{base}/identity/v3"),
        ("compute", "nova", f"{base}/compute/v2.1"),
        ("placement", "placement", f"{base}/placement"),
        ("block-storage", "cinder", f"{base}/volume/v3/{PROJECT_ID}"),
        ("volumev3", "cinderv3", f"{base}/volume/v3/{PROJECT_ID}"),
        ("baremetal", "ironic", f"{base}/baremetal"),
    )
    return [
        {"type": kind, "name": name, "id": uuid.uuid5(uuid.NAMESPACE_URL, kind).hex,
         "endpoints": [{"id": uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}-{i}").hex,
                        "interface": i, "region": "RegionOne", "region_id": "RegionOne",
                        "url": url} for i in ("public", "internal", "admin")]}
        for kind, name, url in services
    ]  # fmt: skip


@bp.get("")
@bp.get("/")
def versions():
    doc = version_doc("v3.14", f"{base_url()}/identity/v3/", "3.14")
    doc["media-types"] = [
        {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
    ]
    return jsonify({"versions": {"values": [doc]}})


@bp.get("/v3")
@bp.get("/v3/")
def version():
    return jsonify({"version": version_doc("v3.14", f"{base_url()}/identity/v3/", "3.14")})


@bp.post("/v3/auth/tokens")
def issue_token():
    body = request.get_json(silent=True) or {}
    identity = body.get("auth", {}).get("identity", {})
    user = identity.get("password", {}).get("user", {})
    if "password" not in identity.get("methods", []) or not user.get("name"):
        return jsonify({"error": {"code": 400, "message": "password auth required",
                                  "title": "Bad Request"}}), 400  # fmt: skip
    token = uuid.uuid4().hex
    current_app.config["TOKENS"].add(token)
    domain = {"id": "default", "name": "Default"}
    payload = {
        "token": {
            "methods": ["password"],
            "user": {"id": USER_ID, "name": user["name"], "domain": domain},
            "project": {"id": PROJECT_ID, "name": "admin", "domain": domain},
            "roles": [{"id": "r-admin", "name": "admin"}],
            "catalog": catalog(base_url()),
            "expires_at": "2099-01-01T00:00:00.000000Z",
            "issued_at": "2026-01-01T00:00:00.000000Z",
        }
    }
    response = jsonify(payload)
    response.status_code = 201
    response.headers["X-Subject-Token"] = token
    return response


def check_token():
    """``before_request`` hook: every service but Keystone wants a token this emulator issued."""
    path = request.path.rstrip("/")
    if path in VERSION_ROOTS or path == "/metrics" or path.startswith("/identity"):
        return None
    if request.headers.get("X-Auth-Token") not in current_app.config["TOKENS"]:
        return jsonify({"error": {"code": 401, "message": "The request you have made requires "
                                  "authentication.", "title": "Unauthorized"}}), 401  # fmt: skip
    return None


VERSION_ROOTS = {"/compute", "/compute/v2.1", "/placement", "/volume", "/volume/v3",
                 "/baremetal", "/baremetal/v1"}  # fmt: skip
