"""Ironic v1: bare-metal nodes and their power state."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from watcher_celery.cloud.emulator.common import (
    base_url,
    cloud,
    cloud_error,
    fault,
    microversion,
    version_doc,
    versioned,
)
from watcher_celery.errors import CloudError

bp = Blueprint("ironic", __name__, url_prefix="/baremetal")
MAX = "1.87"


def reply(body, status: int = 200):
    response = jsonify(body) if body is not None else Response(status=status)
    response.status_code = status
    response.headers["X-OpenStack-Ironic-API-Minimum-Version"] = "1.1"
    response.headers["X-OpenStack-Ironic-API-Maximum-Version"] = MAX
    return versioned(response, "baremetal", microversion("baremetal", "1.1", MAX))


@bp.get("")
@bp.get("/")
def versions():
    doc = version_doc("v1", f"{base_url()}/baremetal/v1/", MAX, "1.1")
    return jsonify({"name": "OpenStack Ironic API", "versions": [doc], "default_version": doc})


@bp.get("/v1")
@bp.get("/v1/")
def version():
    doc = version_doc("v1", f"{base_url()}/baremetal/v1/", MAX, "1.1")
    return reply({**doc, "media_types": [{"base": "application/json"}]})


def _node(n) -> dict:
    return {"uuid": n.uuid, "name": n.hypervisor_hostname, "power_state": n.power_state,
            "target_power_state": None, "provision_state": "active",
            "maintenance": n.maintenance, "maintenance_reason": n.maintenance_reason,
            "extra": {**n.extra, "hypervisor_hostname": n.hypervisor_hostname},
            "driver": "ipmi", "instance_uuid": None, "links": []}  # fmt: skip


@bp.get("/v1/nodes")
@bp.get("/v1/nodes/detail")
def nodes():
    return reply({"nodes": [_node(n) for n in cloud().baremetal_nodes()]})


@bp.get("/v1/nodes/<ident>")
def node(ident):
    found = cloud().get_baremetal_node(ident)
    if found is None:
        return fault(404, f"Node {ident} could not be found.")
    return reply(_node(found))


@bp.put("/v1/nodes/<ident>/states/power")
def power(ident):
    target = (request.get_json(silent=True) or {}).get("target")
    if target not in ("power on", "power off"):
        return fault(400, f"Unsupported power state target {target!r}.")
    try:
        cloud().set_power_state(ident, target == "power on")
    except CloudError as exc:
        return cloud_error(exc)
    return reply(None, 202)
