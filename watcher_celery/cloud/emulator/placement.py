"""Placement: one resource provider per compute node, with inventories, usages and
allocations. A server being migrated, or waiting in VERIFY_RESIZE, holds allocations on two
providers: its own on one, its migration's (consumer = the migration uuid) on the other."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from watcher_celery.cloud.emulator.common import base_url, cloud, fault, microversion, versioned

bp = Blueprint("placement", __name__, url_prefix="/placement")
MAX = "1.39"


def reply(body):
    return versioned(jsonify(body), "placement", microversion("placement", "1.0", MAX))


@bp.get("")
@bp.get("/")
def versions():
    return jsonify({"versions": [{"id": "v1.0", "max_version": MAX, "min_version": "1.0",
                                  "status": "CURRENT", "links": [{"rel": "self",
                                  "href": f"{base_url()}/placement/"}]}]})  # fmt: skip


def _provider(node) -> dict:
    href = f"{base_url()}/placement/resource_providers/{node.uuid}"
    return {"uuid": node.uuid, "name": node.hostname, "generation": 1,
            "parent_provider_uuid": None, "root_provider_uuid": node.uuid,
            "links": [{"rel": "self", "href": href},
                      {"rel": "inventories", "href": f"{href}/inventories"},
                      {"rel": "usages", "href": f"{href}/usages"}]}  # fmt: skip


def _node(uuid: str):
    return cloud().get_compute_node_by_uuid(uuid)


@bp.get("/resource_providers")
def providers():
    name = request.args.get("name")
    uuid = request.args.get("uuid")
    items = [
        _provider(n)
        for n in cloud().compute_nodes()
        if name in (None, n.hostname) and uuid in (None, n.uuid)
    ]
    return reply({"resource_providers": items})


@bp.get("/resource_providers/<uuid>")
def provider(uuid):
    node = _node(uuid)
    if node is None:
        return fault(404, f"No resource provider with uuid {uuid} found")
    return reply(_provider(node))


@bp.get("/resource_providers/<uuid>/inventories")
def inventories(uuid):
    n = _node(uuid)
    if n is None:
        return fault(404, f"No resource provider with uuid {uuid} found")
    inv = {
        "VCPU": (n.vcpus, n.vcpu_reserved, n.vcpu_ratio),
        "MEMORY_MB": (n.memory, n.memory_mb_reserved, n.memory_ratio),
        "DISK_GB": (n.disk, n.disk_gb_reserved, n.disk_ratio),
    }
    return reply({
        "resource_provider_generation": 1,
        "inventories": {
            rc: {"total": total, "reserved": reserved, "allocation_ratio": ratio,
                 "min_unit": 1, "max_unit": total, "step_size": 1}
            for rc, (total, reserved, ratio) in inv.items()
        },
    })  # fmt: skip


@bp.get("/resource_providers/<uuid>/usages")
def usages(uuid):
    node = _node(uuid)
    if node is None:
        return fault(404, f"No resource provider with uuid {uuid} found")
    used = cloud().host_usage().get(node.hostname, (0, 0, 0, 0))
    return reply(
        {
            "resource_provider_generation": 1,
            "usages": {"VCPU": used[0], "MEMORY_MB": used[1], "DISK_GB": used[2]},
        }
    )


def _by_provider(allocations: dict[str, dict[str, int]]) -> dict[str, dict]:
    nodes = {n.hostname: n for n in cloud().compute_nodes()}
    return {
        nodes[host].uuid: {"resources": resources, "generation": 1}
        for host, resources in allocations.items()
        if host in nodes
    }


@bp.get("/allocations/<consumer>")
def allocations(consumer):
    found = _by_provider(cloud().allocations(consumer))
    body = {"allocations": found}
    if found:
        body.update(consumer_generation=1, project_id=None, user_id=None)
    return reply(body)


@bp.get("/resource_providers/<uuid>/allocations")
def provider_allocations(uuid):
    node = _node(uuid)
    if node is None:
        return fault(404, f"No resource provider with uuid {uuid} found")
    sim = cloud()
    consumers = [i.uuid for i in sim.instances() if i.host == node.hostname]
    consumers += [
        m.uuid for m in sim.all_migrations() if node.hostname in (m.source, m.destination)
    ]
    held = {}
    for consumer in consumers:
        resources = sim.allocations(consumer).get(node.hostname)
        if resources:
            held[consumer] = {"resources": resources}
    return reply({"allocations": held, "resource_provider_generation": 1})
