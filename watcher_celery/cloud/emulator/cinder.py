"""Cinder v3: scheduler pools, volumes, and the migrate/retype volume actions."""

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

bp = Blueprint("cinder", __name__, url_prefix="/volume")
MAX = "3.71"


def reply(body, status: int = 200):
    response = jsonify(body) if body is not None else Response(status=status)
    response.status_code = status
    return versioned(response, "volume", microversion("volume", "3.0", MAX))


@bp.get("")
@bp.get("/")
def versions():
    return jsonify({"versions": [version_doc("v3.0", f"{base_url()}/volume/v3/", MAX, "3.0")]})


@bp.get("/v3")
@bp.get("/v3/")
def version():
    return jsonify({"versions": [version_doc("v3.0", f"{base_url()}/volume/v3/", MAX, "3.0")]})


@bp.get("/v3/<project>/scheduler-stats/get_pools")
def pools(project):
    items = []
    for p in cloud().storage_pools():
        item = {"name": p.name}
        if request.args.get("detail", "").lower() in ("true", "1"):
            item["capabilities"] = {
                "pool_name": p.name.split("#")[-1], "volume_backend_name": p.name.split("@")[-1],
                "total_capacity_gb": p.total_capacity_gb, "free_capacity_gb": p.free_capacity_gb,
                "provisioned_capacity_gb": p.provisioned_capacity_gb,
                "allocated_capacity_gb": p.allocated_capacity_gb,
                "total_volumes": p.total_volumes,
                "max_over_subscription_ratio": p.max_over_subscription_ratio,
                "thin_provisioning_support": True, "storage_protocol": "iSCSI",
                "availability_zone": p.availability_zone,
                "volume_types": list(p.volume_types), "timestamp": "2026-01-01T00:00:00",
            }  # fmt: skip
        items.append(item)
    return reply({"pools": items})


def _volume(v) -> dict:
    return {
        "id": v.uuid, "name": v.name, "size": v.size, "status": v.status,
        "os-vol-host-attr:host": v.pool, "volume_type": v.volume_type,
        "os-vol-tenant-attr:tenant_id": v.project_id, "bootable": str(v.bootable).lower(),
        "multiattach": v.multiattach,
        "attachments": [{**a, "volume_id": v.uuid, "id": a.get("attachment_id")}
                        for a in v.attachments],
        "snapshot_id": v.snapshot_id, "metadata": v.metadata, "created_at": v.created_at,
        "availability_zone": "nova", "migration_status": v.migration_status, "links": [],
    }  # fmt: skip


@bp.get("/v3/<project>/volumes")
@bp.get("/v3/<project>/volumes/detail")
def volumes(project):
    return reply({"volumes": [_volume(v) for v in cloud().volumes()]})


@bp.get("/v3/<project>/volumes/<volume_id>")
def volume(project, volume_id):
    found = cloud().get_volume(volume_id)
    if found is None:
        return fault(404, f"Volume {volume_id} could not be found.")
    return reply({"volume": _volume(found)})


@bp.post("/v3/<project>/volumes/<volume_id>/action")
def volume_action(project, volume_id):
    body = request.get_json(silent=True) or {}
    try:
        if "os-migrate_volume" in body:
            cloud().migrate_volume(volume_id, body["os-migrate_volume"].get("host", ""))
        elif "os-retype" in body:
            cloud().retype_volume(volume_id, body["os-retype"].get("new_type", ""))
        else:
            return fault(400, f"Volume action {sorted(body)} is not supported by this cloud.")
    except CloudError as exc:
        return cloud_error(exc)
    return reply(None, 202)
