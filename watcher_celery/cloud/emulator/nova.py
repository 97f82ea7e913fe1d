"""Nova's compute API (v2.1) over the simulated cloud, honouring the microversions sent.

Covered: versions, hypervisors, os-services (enable/disable with reason, both before and
after 2.53), aggregates, availability zones, flavors, servers detail (paged like Nova), the
server actions Watcher uses (live/cold migrate, resize, confirm/revert, stop/start), server
migrations (in-progress list, abort), os-migrations, instance actions and server groups
(listed by ``limit``/``offset`` like Nova, every project's with ``all_projects``; ``policy``
and ``rules`` from 2.64, ``policies`` and ``metadata`` before). What a server shows
while it migrates follows real Nova (``cloud/sim/phases.py``): status RESIZE / MIGRATING /
REVERT_RESIZE from its task_state, VERIFY_RESIZE until confirmed, a fault only in ERROR, and a
live migration asked at microversion ≥ 2.34 starting ``accepted``. A request Nova's scheduler
finds no host for (room, a disabled host, a server-group filter) is answered as real Nova
answers it (``tests/realcloud/test_server_groups.py``): 400 "No valid host was found." for a
live migration below 2.34, else 202 and a migration that ends ``error``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

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
from watcher_celery.cloud.emulator.keystone import PROJECT_ID, USER_ID
from watcher_celery.errors import CloudError

bp = Blueprint("nova", __name__, url_prefix="/compute")
MAX = "2.96"
STATUS = {"active": "ACTIVE", "stopped": "SHUTOFF", "paused": "PAUSED", "error": "ERROR",
          "resized": "VERIFY_RESIZE", "suspended": "SUSPENDED", "shelved": "SHELVED",
          "building": "BUILD", "rescued": "RESCUE"}  # fmt: skip
TASK_STATUS = {"migrating": "MIGRATING", "resize_prep": "RESIZE", "resize_migrating": "RESIZE",
               "resize_migrated": "RESIZE", "resize_finish": "RESIZE",
               "resize_reverting": "REVERT_RESIZE"}  # fmt: skip
# Statuses of a migration Nova still lists under /servers/{id}/migrations (in progress).
DONE = {"completed", "confirmed", "reverted", "error", "failed", "cancelled", "done", "finished"}
PAGE = 1000


def _mv() -> tuple[int, int]:
    return microversion("compute", "2.1", MAX)


def reply(body, status: int = 200):
    response = jsonify(body) if body is not None else Response(status=status)
    response.status_code = status
    return versioned(response, "compute", _mv())


def _service_id(node, index: int):
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, node.hostname)) if _mv() >= (2, 53) else index


def _hypervisor_id(node, index: int):
    return node.uuid if _mv() >= (2, 53) else index


@bp.get("")
@bp.get("/")
def versions():
    return jsonify({"versions": [version_doc("v2.1", f"{base_url()}/compute/v2.1/", MAX, "2.1")]})


@bp.get("/v2.1")
@bp.get("/v2.1/")
def version():
    return jsonify({"version": version_doc("v2.1", f"{base_url()}/compute/v2.1/", MAX, "2.1")})


# --- hosts ---------------------------------------------------------------------------------


def _hypervisor(node, index: int, usage, detail: bool) -> dict:
    body = {"id": _hypervisor_id(node, index), "hypervisor_hostname": node.hostname,
            "state": node.state, "status": node.status}  # fmt: skip
    if not detail:
        return body
    body.update(
        hypervisor_type="QEMU", hypervisor_version=8002000, host_ip="127.0.0.1",
        service={"id": _service_id(node, index), "host": node.hostname,
                 "disabled_reason": node.disabled_reason},
    )  # fmt: skip
    if _mv() < (2, 88):
        used = usage.get(node.hostname, (0, 0, 0, 0))
        body.update(
            vcpus=node.vcpus, memory_mb=node.memory, local_gb=node.disk, vcpus_used=used[0],
            memory_mb_used=used[1], local_gb_used=used[2], running_vms=used[3],
            free_ram_mb=node.memory - used[1], free_disk_gb=node.disk - used[2],
            current_workload=0, disk_available_least=node.disk - used[2], cpu_info="{}",
        )  # fmt: skip
    return body


@bp.get("/v2.1/os-hypervisors")
@bp.get("/v2.1/os-hypervisors/detail")
def hypervisors():
    detail = request.path.endswith("/detail")
    usage = cloud().host_usage() if detail else {}
    nodes = cloud().compute_nodes()
    wanted = request.args.get("hypervisor_hostname_pattern")
    items = [
        _hypervisor(n, i + 1, usage, detail)
        for i, n in enumerate(nodes)
        if not wanted or wanted in n.hostname
    ]
    if wanted and not items:  # as Nova: a pattern nothing matches is a 404
        return fault(404, f"No hypervisor matching '{wanted}' could be found.")
    return reply({"hypervisors": items})


@bp.get("/v2.1/os-hypervisors/<ident>")
def hypervisor(ident):
    usage = cloud().host_usage()
    for i, n in enumerate(cloud().compute_nodes()):
        if str(_hypervisor_id(n, i + 1)) == ident:
            return reply({"hypervisor": _hypervisor(n, i + 1, usage, True)})
    return fault(404, f"Hypervisor {ident} could not be found.")


def _service(node, index: int) -> dict:
    return {"id": _service_id(node, index), "binary": "nova-compute", "host": node.hostname,
            "zone": node.availability_zone or "nova", "status": node.status,
            "state": node.state, "disabled_reason": node.disabled_reason,
            "updated_at": "2026-01-01T00:00:00.000000", "forced_down": False}  # fmt: skip


@bp.get("/v2.1/os-services")
def services():
    binary, host = request.args.get("binary"), request.args.get("host")
    items = [
        _service(n, i + 1)
        for i, n in enumerate(cloud().compute_nodes())
        if binary in (None, "nova-compute") and host in (None, n.hostname)
    ]
    return reply({"services": items})


@bp.put("/v2.1/os-services/<ident>")
def update_service(ident):
    body = request.get_json(silent=True) or {}
    nodes = cloud().compute_nodes()
    if ident in ("enable", "disable", "disable-log-reason"):  # before 2.53
        node = next((n for n in nodes if n.hostname == body.get("host")), None)
        if node is None:
            return fault(404, f"Compute service of host {body.get('host')} could not be found.")
        enabled = ident == "enable"
        cloud().set_compute_service(node.hostname, enabled, body.get("disabled_reason"))
        service = {"host": node.hostname, "binary": "nova-compute",
                   "status": "enabled" if enabled else "disabled"}  # fmt: skip
        if ident == "disable-log-reason":
            service["disabled_reason"] = body.get("disabled_reason")
        return reply({"service": service})
    found = [(i + 1, n) for i, n in enumerate(nodes) if str(_service_id(n, i + 1)) == ident]
    if not found:
        return fault(404, f"Service {ident} could not be found.")
    index, node = found[0]
    if "status" in body:
        enabled = body["status"] == "enabled"
        cloud().set_compute_service(node.hostname, enabled, body.get("disabled_reason"))
    return reply({"service": _service(cloud().get_compute_node(node.hostname), index)})


@bp.get("/v2.1/os-aggregates")
def aggregates():
    items = [
        {"id": a["id"], "uuid": str(uuid.uuid5(uuid.NAMESPACE_DNS, a["name"])), "name": a["name"],
         "availability_zone": a["availability_zone"], "hosts": a["hosts"],
         "metadata": {**a["metadata"], **({"availability_zone": a["availability_zone"]}
                                          if a["availability_zone"] else {})},
         "created_at": "2026-01-01T00:00:00.000000", "updated_at": None, "deleted": False,
         "deleted_at": None}
        for a in cloud().aggregates()
    ]  # fmt: skip
    return reply({"aggregates": items})


@bp.get("/v2.1/os-availability-zone")
@bp.get("/v2.1/os-availability-zone/detail")
def availability_zones():
    zones: dict[str, dict] = {}
    for node in cloud().compute_nodes():
        zone = zones.setdefault(node.availability_zone or "nova", {})
        zone[node.hostname] = {"nova-compute": {"available": node.available,
                                                "active": node.status == "enabled",
                                                "updated_at": None}}  # fmt: skip
    detail = request.path.endswith("/detail")
    return reply({"availabilityZoneInfo": [
        {"zoneName": name, "zoneState": {"available": True},
         "hosts": hosts if detail else None}
        for name, hosts in sorted(zones.items())
    ]})  # fmt: skip


# --- flavors -------------------------------------------------------------------------------


def _flavor(f: dict) -> dict:
    body = {
        "id": f["id"],
        "name": f["name"],
        "vcpus": f["vcpus"],
        "ram": f["ram"],
        "disk": f["disk"],
        "OS-FLV-EXT-DATA:ephemeral": f["ephemeral"],
        "swap": f["swap"] or "",
        "rxtx_factor": 1.0,
        "os-flavor-access:is_public": True,
        "OS-FLV-DISABLED:disabled": False,
        "links": [{"rel": "self", "href": f"{base_url()}/compute/v2.1/flavors/{f['id']}"}],
    }
    if _mv() >= (2, 61):
        body["extra_specs"] = f["extra_specs"]
    return body  # fmt: skip


@bp.get("/v2.1/flavors")
@bp.get("/v2.1/flavors/detail")
def flavors():
    return reply({"flavors": [_flavor(f) for f in cloud().flavors()]})


@bp.get("/v2.1/flavors/<ident>")
def flavor(ident):
    found = next((f for f in cloud().flavors() if f["id"] == ident), None)
    if found is None:
        return fault(404, f"Flavor {ident} could not be found.")
    return reply({"flavor": _flavor(found)})


# --- servers -------------------------------------------------------------------------------


def _server(inst, flavors: dict) -> dict:
    f = flavors.get(inst.flavor_name, {})
    status = TASK_STATUS.get(inst.task_state) or STATUS.get(inst.state, "UNKNOWN")
    if _mv() >= (2, 47):
        flavor = {"original_name": inst.flavor_name, "vcpus": inst.vcpus, "ram": inst.memory,
                  "disk": f.get("disk", inst.disk), "ephemeral": f.get("ephemeral", 0),
                  "swap": f.get("swap", 0), "extra_specs": f.get("extra_specs", {})}  # fmt: skip
    else:
        flavor = {"id": f.get("id", inst.flavor_name), "links": []}
    body = {
        "id": inst.uuid, "name": inst.name, "status": status, "tenant_id": inst.project_id,
        "user_id": USER_ID, "metadata": inst.metadata, "flavor": flavor, "image": "",
        "created": inst.created, "updated": inst.created, "addresses": {},
        "hostId": uuid.uuid5(uuid.NAMESPACE_DNS, inst.host or "").hex if inst.host else "",
        "OS-EXT-STS:vm_state": inst.state, "OS-EXT-STS:task_state": inst.task_state,
        "OS-EXT-STS:power_state": 1 if inst.state == "active" else 4,
        "OS-EXT-SRV-ATTR:host": inst.host, "OS-EXT-SRV-ATTR:hypervisor_hostname": inst.host,
        "OS-EXT-SRV-ATTR:instance_name": f"instance-{inst.name}",
        "OS-EXT-AZ:availability_zone": inst.pinned_az or "nova",
        "links": [{"rel": "self", "href": f"{base_url()}/compute/v2.1/servers/{inst.uuid}"}],
    }  # fmt: skip
    if _mv() >= (2, 9):
        body["locked"] = inst.locked
    if status == "ERROR" and inst.fault:  # Nova shows a fault in ERROR (or DELETED) only
        body["fault"] = {"code": 500, "message": inst.fault, "created": inst.created}
    return body


@bp.get("/v2.1/servers/detail")
@bp.get("/v2.1/servers")
def servers():
    instances = sorted(cloud().instances(), key=lambda i: i.uuid)
    host = request.args.get("host") or request.args.get("node")
    if host:
        instances = [i for i in instances if i.host == host]
    marker = request.args.get("marker")
    if marker:
        instances = [i for i in instances if i.uuid > marker]
    limit = min(int(request.args.get("limit", PAGE)), PAGE)
    page = instances[:limit]
    flavors = {f["name"]: f for f in cloud().flavors()}
    body = {"servers": [_server(i, flavors) for i in page]}
    if len(instances) > limit:
        args = {**request.args.to_dict(), "marker": page[-1].uuid, "limit": limit}
        query = "&".join(f"{k}={v}" for k, v in args.items())
        body["servers_links"] = [{"rel": "next", "href": f"{base_url()}{request.path}?{query}"}]
    return reply(body)


@bp.get("/v2.1/servers/<server_id>")
def server(server_id):
    inst = cloud().get_instance(server_id)
    if inst is None:
        return fault(404, f"Instance {server_id} could not be found.")
    return reply({"server": _server(inst, {f["name"]: f for f in cloud().flavors()})})


@bp.post("/v2.1/servers/<server_id>/action")
def server_action(server_id):
    body = request.get_json(silent=True) or {}
    if len(body) != 1:
        return fault(400, "Exactly one server action is expected.")
    ((name, args),) = body.items()
    args = args or {}
    c = cloud()
    flavor = None
    try:
        if name == "os-migrateLive":
            c.live_migrate(server_id, args.get("host"), accepted=_mv() >= (2, 34))
        elif name == "migrate":
            if args.get("host") and _mv() < (2, 56):
                return fault(400, "Cold migration to a host needs microversion 2.56 or later.")
            c.cold_migrate(server_id, args.get("host"))
        elif name == "resize":
            ref = str(args.get("flavorRef", ""))
            match = next((f for f in c.flavors() if ref in (f["id"], f["name"])), None)
            if match is None:
                return fault(400, f"Invalid flavorRef {ref} provided.")
            flavor = match["name"]
            c.resize(server_id, flavor)
        elif name == "confirmResize":
            c.confirm_resize(server_id)
            return reply(None, 204)
        elif name == "revertResize":
            c.revert_resize(server_id)
        elif name == "os-stop":
            c.stop_instance(server_id)
        elif name == "os-start":
            c.start_instance(server_id)
        else:
            return fault(400, f"Server action {name} is not supported by this cloud.")
    except CloudError as exc:
        if str(exc).startswith("No valid host"):
            return _no_valid_host(c, name, server_id, flavor)
        return cloud_error(exc)
    return reply(None, 202)


NO_VALID_HOST = "No valid host was found. "
# The conductor's reason when the scheduler finds no host, by server action.
LATE_REASON = {
    "os-migrateLive": ("live-migration", "There are not enough hosts available."),
    "migrate": ("migration", "No valid host found for cold migrate"),
    "resize": ("resize", "No valid host found for resize"),
}


def _no_valid_host(c, name: str, server_id: str, flavor: str | None):
    """Nova's scheduler found no host (short of room, disabled, or a server-group filter):
    a live migration asked below 2.34 waits for the scheduler and is refused (400); anything
    else is accepted (202) and its migration ends ``error`` a moment later, the server unmoved,
    the conductor's reason in the failed instance action."""
    kind, reason = LATE_REASON[name]
    if name == "os-migrateLive" and _mv() < (2, 34):
        return fault(400, NO_VALID_HOST + reason)
    try:
        c.refuse_late(kind, server_id, NO_VALID_HOST + reason, flavor)
    except CloudError as exc:
        return cloud_error(exc)
    return reply(None, 202)


def _nova_timestamp(moment) -> str | None:
    """Nova's timestamps: UTC, no offset, microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") if moment else None


def _migration(m, detail_for_server: bool) -> dict:
    body = {"id": int(m.id), "status": m.status, "source_compute": m.source,
            "dest_compute": m.destination, "source_node": m.source, "dest_node": m.destination,
            "created_at": _nova_timestamp(m.created_at), "updated_at": None}  # fmt: skip
    if _mv() >= (2, 59):
        body["uuid"] = m.uuid
    if detail_for_server:
        total = 8 * 1024**3
        done = total * (m.progress or 0) // 100
        body.update(
            server_uuid=m.instance_uuid,
            memory_total_bytes=total,
            memory_processed_bytes=done,
            memory_remaining_bytes=total - done,
            disk_total_bytes=0,
            disk_processed_bytes=0,
            disk_remaining_bytes=0,
        )
    else:
        body.update(
            instance_uuid=m.instance_uuid,
            migration_type=m.migration_type,
            new_instance_type_id=None,
            old_instance_type_id=None,
        )
    return body  # fmt: skip


@bp.get("/v2.1/servers/<server_id>/migrations")
def server_migrations(server_id):
    running = [m for m in cloud().migrations(server_id)
               if m.migration_type == "live-migration" and m.status not in DONE]  # fmt: skip
    return reply({"migrations": [_migration(m, True) for m in running]})


@bp.get("/v2.1/servers/<server_id>/migrations/<migration_id>")
def server_migration(server_id, migration_id):
    for m in cloud().migrations(server_id):
        if m.id == migration_id and m.status not in DONE and m.migration_type == "live-migration":
            return reply({"migration": _migration(m, True)})
    return fault(404, f"Migration {migration_id} for server {server_id} could not be found.")


@bp.delete("/v2.1/servers/<server_id>/migrations/<migration_id>")
def abort_migration(server_id, migration_id):
    try:
        cloud().abort_migration(server_id, migration_id)
    except CloudError as exc:
        if "not found" in str(exc):
            return fault(404, str(exc))
        return fault(400, str(exc))
    return reply(None, 202)


@bp.get("/v2.1/os-migrations")
def migrations():
    wanted = request.args.get("instance_uuid")
    items = [m for m in cloud().all_migrations() if wanted in (None, m.instance_uuid)]
    kind = request.args.get("migration_type")
    if kind:
        items = [m for m in items if m.migration_type == kind]
    return reply({"migrations": [_migration(m, False) for m in items]})


# --- server groups -------------------------------------------------------------------------


def _server_group(group) -> dict:
    body = {"id": group.uuid, "name": group.name, "members": list(group.members),
            "project_id": group.project_id, "user_id": USER_ID}  # fmt: skip
    if _mv() >= (2, 64):  # as real Nova: no ``metadata`` any more
        body["policy"] = group.policy
        body["rules"] = {}
    else:
        body["policies"] = [group.policy]
        body["metadata"] = {}
    return body


@bp.get("/v2.1/os-server-groups")
def server_groups():
    groups = cloud().server_groups()
    if "all_projects" not in request.args:  # Nova looks for the key only, not its value
        groups = [g for g in groups if g.project_id == PROJECT_ID]  # the token's project only
    try:
        offset = int(request.args.get("offset", 0))
        limit = min(int(request.args.get("limit", PAGE)), PAGE)
    except ValueError:
        return fault(400, "Invalid input for query parameters limit or offset.")
    if offset < 0 or limit < 0:
        return fault(400, "Invalid input for query parameters limit or offset.")
    return reply({"server_groups": [_server_group(g) for g in groups[offset : offset + limit]]})


@bp.get("/v2.1/os-server-groups/<group_id>")
def server_group(group_id):
    found = next((g for g in cloud().server_groups() if g.uuid == group_id), None)
    if found is None:
        return fault(404, f"Instance group {group_id} could not be found.")
    return reply({"server_group": _server_group(found)})


# --- instance actions ----------------------------------------------------------------------

EVENTS = {"migrate": "conductor_migrate_server", "resize": "conductor_migrate_server",
          "live-migration": "conductor_live_migrate_instance", "stop": "compute_stop_instance",
          "start": "compute_start_instance"}  # fmt: skip


def _action(server_id: str, action: dict, with_events: bool) -> dict:
    started = _nova_timestamp(datetime.fromtimestamp(action["started"], UTC))
    body = {"action": action["action"], "request_id": action["request_id"],
            "instance_uuid": server_id, "user_id": USER_ID, "project_id": None,
            "start_time": started, "message": "Error" if action["error"] else None}  # fmt: skip
    if with_events:
        result = "Error" if action["error"] else "Success"
        event = {"event": EVENTS[action["action"]], "start_time": started,
                 "finish_time": started, "result": result}  # fmt: skip
        if action["error"]:
            if _mv() >= (2, 84):
                event["details"] = action["error"]
            event["traceback"] = f"Traceback (most recent call last):\n{action['error']}\n"
        body["events"] = [event]
    return body


@bp.get("/v2.1/servers/<server_id>/os-instance-actions")
def instance_actions(server_id):
    if cloud().get_instance(server_id) is None:
        return fault(404, f"Instance {server_id} could not be found.")
    actions = cloud().actions(server_id)
    return reply({"instanceActions": [_action(server_id, a, False) for a in actions]})


@bp.get("/v2.1/servers/<server_id>/os-instance-actions/<request_id>")
def instance_action(server_id, request_id):
    for action in cloud().actions(server_id):
        if action["request_id"] == request_id:
            return reply({"instanceAction": _action(server_id, action, True)})
    return fault(404, f"Action {request_id} for server {server_id} could not be found.")
