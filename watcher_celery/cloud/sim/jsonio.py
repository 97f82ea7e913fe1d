"""The JSON cluster description: export a simulated cloud, or load one to replay offline.

The format (``"format": "watcher-celery-cluster/1"``) is documented in ``docs/cloud.md``.
Metrics in it are the values at export time; a loaded cluster keeps them flat (no daily
cycle), with each host's own overhead set so that its total matches the exported value.
"""

from __future__ import annotations

import json
import math
from typing import Any

from watcher_celery.cloud.sim import metrics as sim_metrics
from watcher_celery.cloud.sim import profiles, store

FORMAT = "watcher-celery-cluster/1"
HOST_FIELDS = (
    "hostname", "uuid", "vcpus", "memory_mb", "disk_gb", "vcpu_reserved", "memory_mb_reserved",
    "disk_gb_reserved", "vcpu_ratio", "memory_ratio", "disk_ratio", "state", "status",
    "disabled_reason", "availability_zone",
)  # fmt: skip
HOST_DEFAULTS = {
    "vcpu_reserved": 0, "memory_mb_reserved": 0, "disk_gb_reserved": 0, "vcpu_ratio": 1.0,
    "memory_ratio": 1.0, "disk_ratio": 1.0, "state": "up", "status": "enabled",
    "disabled_reason": None, "availability_zone": None,
}  # fmt: skip


class ClusterFormatError(ValueError):
    """Raised when a cluster description is not in the documented format."""


def flavor_disk(flavor: dict[str, Any]) -> int:
    """Disk an instance of this flavor uses on its host (reference §8.3)."""
    swap = flavor.get("swap") or 0
    return flavor["disk"] + (flavor.get("ephemeral") or 0) + math.ceil(swap / 1024)


def export(cloud) -> dict[str, Any]:
    """The whole cloud with the metrics of its metrics clock."""
    conn = cloud._conn
    cloud._settle()
    t = cloud.metrics_time()
    host_rows, instance_rows = cloud.metric_rows()
    loads = profiles.host_loads(host_rows, instance_rows, t)
    hosts = []
    for node in cloud.compute_nodes():
        load = loads[node.hostname]
        item = {f: getattr(node, _model_name(f)) for f in HOST_FIELDS}
        item["aggregates"] = list(node.aggregates)
        item["baremetal_uuid"] = node.baremetal_uuid
        item["metrics"] = {
            "cpu_util": round(load.cpu, 3),
            "memory_used_mb": round(load.ram_kib / 1024.0, 3),
        }
        hosts.append(item)
    values = {r["uuid"]: sim_metrics.instance_values(r, t) for r in instance_rows}
    flavors = {f["name"]: f for f in cloud.flavors()}
    instances = []
    for inst in cloud.instances():
        v = values[inst.uuid]
        f = flavors[inst.flavor_name]
        instances.append(
            {"uuid": inst.uuid, "name": inst.name,
             "flavor": {k: f[k] for k in ("name", "vcpus", "ram", "disk", "ephemeral", "swap")},
             "host": inst.host, "state": inst.state, "project_id": inst.project_id,
             "metadata": inst.metadata, "locked": inst.locked, "created": inst.created,
             "availability_zone": inst.pinned_az,
             "metrics": {"cpu_util": round(v["instance_cpu_usage"], 3),
                         "memory_used_mb": round(v["instance_ram_usage"], 3)}}
        )  # fmt: skip
    pools = conn.execute(
        "SELECT name, total_capacity_gb, max_over_subscription_ratio, availability_zone, "
        "volume_types FROM pools ORDER BY name"
    ).fetchall()
    return {
        "format": FORMAT,
        "captured_at": t,
        "flavors": list(flavors.values()),
        "aggregates": [
            {k: a[k] for k in ("id", "name", "availability_zone", "metadata")}
            for a in cloud.aggregates()
        ],
        "hosts": hosts,
        "instances": instances,
        "storage_pools": [
            {
                "name": p[0],
                "total_capacity_gb": p[1],
                "max_over_subscription_ratio": p[2],
                "availability_zone": p[3],
                "volume_types": [t for t in p[4].split(",") if t],
            }
            for p in pools
        ],  # fmt: skip
        "volumes": [_volume_dict(v) for v in cloud.volumes()],
        "baremetal_nodes": [
            {
                "uuid": b.uuid,
                "power_state": b.power_state,
                "maintenance": b.maintenance,
                "maintenance_reason": b.maintenance_reason,
                "hypervisor_hostname": b.hypervisor_hostname,
                "extra": b.extra,
            }
            for b in cloud.baremetal_nodes()
        ],  # fmt: skip
        "server_groups": [
            {
                "uuid": g.uuid,
                "name": g.name,
                "policy": g.policy,
                "project_id": g.project_id,
                "members": list(g.members),
            }
            for g in cloud.server_groups()
        ],  # fmt: skip
    }


def load(cloud, description: dict[str, Any]) -> None:
    """Replace the cloud's content with ``description`` (validated first, then one write)."""
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise ClusterFormatError(f"not a cluster description: 'format' must be {FORMAT!r}")
    try:
        rows = _rows(description)
    except (KeyError, TypeError, ValueError) as exc:
        raise ClusterFormatError(f"invalid cluster description: {exc!r}") from exc
    with store.write(cloud._conn) as conn:
        store.clear(conn)
        for table, table_rows in rows.items():
            if table_rows:
                marks = ",".join("?" * len(table_rows[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", table_rows)  # noqa: S608
        store.set_meta(conn, "generated", json.dumps(["json", len(rows["hosts"])]))
        store.set_meta(conn, "clock", description.get("captured_at") or 0.0)


def _rows(d: dict[str, Any]) -> dict[str, list[tuple]]:
    flavors: dict[str, dict] = {f["name"]: f for f in d.get("flavors", [])}
    for inst in d.get("instances", []):
        flavors.setdefault(inst["flavor"]["name"], inst["flavor"])
    flavor_rows = [
        (f["name"], str(f.get("id", f["name"])), int(f["vcpus"]), int(f["ram"]),
         int(f["disk"]), int(f.get("ephemeral") or 0), int(f.get("swap") or 0),
         json.dumps(f.get("extra_specs") or {}))
        for f in flavors.values()
    ]  # fmt: skip
    aggregates = {a["name"]: a for a in d.get("aggregates", [])}
    for h in d["hosts"]:
        for name in h.get("aggregates", []):
            aggregates.setdefault(name, {"name": name})
    agg_rows = [
        (a.get("id", i + 1), name, a.get("availability_zone"), json.dumps(a.get("metadata", {})))
        for i, (name, a) in enumerate(aggregates.items())
    ]
    hosts = {h["hostname"]: h for h in d["hosts"]}
    cpu_sum: dict[str, float] = dict.fromkeys(hosts, 0.0)
    ram_sum: dict[str, float] = dict.fromkeys(hosts, 0.0)
    instance_rows = []
    for inst in d.get("instances", []):
        f = flavors[inst["flavor"]["name"]]
        m = inst.get("metrics", {})
        cpu, ram = float(m.get("cpu_util", 0.0)), float(m.get("memory_used_mb", 0.0))
        state = inst.get("state", "active")
        if inst.get("host") in hosts and state in sim_metrics.RUNNING:
            cpu_sum[inst["host"]] += cpu * f["vcpus"] / 100.0
            ram_sum[inst["host"]] += ram
        instance_rows.append(
            (inst["uuid"], inst.get("name", inst["uuid"]), f["name"], int(f["vcpus"]),
             int(f["ram"]), flavor_disk(f), int(f["disk"]), state, None,
             inst.get("project_id", ""), inst.get("host"), json.dumps(inst.get("metadata", {})),
             int(bool(inst.get("locked"))), inst.get("created") or "",
             inst.get("availability_zone"),
             cpu, 0.0, 0.0, ram / f["ram"] if f["ram"] else 0.0)
        )  # fmt: skip
    host_rows = []
    for n, h in enumerate(d["hosts"]):
        v = {**HOST_DEFAULTS, **h}
        m = h.get("metrics", {})
        cpu_over = float(m.get("cpu_util", 0.0)) - 100.0 * cpu_sum[h["hostname"]] / v["vcpus"]
        ram_over = float(m.get("memory_used_mb", 0.0)) - ram_sum[h["hostname"]]
        host_rows.append(
            (v["hostname"], v.get("uuid") or v["hostname"], n + 1, int(v["vcpus"]),
             int(v["memory_mb"]), int(v["disk_gb"]), int(v["vcpu_reserved"]),
             int(v["memory_mb_reserved"]), int(v["disk_gb_reserved"]), float(v["vcpu_ratio"]),
             float(v["memory_ratio"]), float(v["disk_ratio"]), v["state"], v["status"],
             v["disabled_reason"], v["availability_zone"], ",".join(h.get("aggregates", [])),
             h.get("baremetal_uuid"), max(0.0, cpu_over), max(0.0, ram_over), 22.0)
        )  # fmt: skip
    return {
        "flavors": flavor_rows,
        "aggregates": agg_rows,
        "hosts": host_rows,
        "instances": instance_rows,
        "pools": [
            (
                p["name"],
                float(p["total_capacity_gb"]),
                float(p.get("max_over_subscription_ratio", 1.0)),
                p.get("availability_zone"),
                ",".join(p.get("volume_types", [])),
            )
            for p in d.get("storage_pools", [])
        ],  # fmt: skip
        "volumes": [
            (
                v["uuid"],
                v.get("name", v["uuid"]),
                int(v["size"]),
                v.get("status", "available"),
                v.get("pool"),
                v.get("volume_type"),
                v.get("project_id", ""),
                int(bool(v.get("bootable"))),
                int(bool(v.get("multiattach"))),
                json.dumps(v.get("attachments", [])),
                v.get("snapshot_id"),
                json.dumps(v.get("metadata", {})),
                v.get("created_at"),
                None,
            )
            for v in d.get("volumes", [])
        ],  # fmt: skip
        "baremetal": [
            (
                b["uuid"],
                b.get("power_state", "power on"),
                int(bool(b.get("maintenance"))),
                b.get("maintenance_reason"),
                b.get("hypervisor_hostname"),
                json.dumps(b.get("extra", {})),
            )
            for b in d.get("baremetal_nodes", [])
        ],  # fmt: skip
        "server_groups": [
            (g["uuid"], g.get("name", g["uuid"]), g["policy"], g.get("project_id", ""))
            for g in d.get("server_groups", [])
        ],
        "server_group_members": [
            (member, g["uuid"]) for g in d.get("server_groups", []) for member in g["members"]
        ],
    }


def _model_name(field: str) -> str:
    return {"memory_mb": "memory", "disk_gb": "disk"}.get(field, field)


def _volume_dict(v) -> dict[str, Any]:
    return {
        "uuid": v.uuid, "name": v.name, "size": v.size, "status": v.status, "pool": v.pool,
        "volume_type": v.volume_type, "project_id": v.project_id, "bootable": v.bootable,
        "multiattach": v.multiattach, "attachments": v.attachments,
        "snapshot_id": v.snapshot_id, "metadata": v.metadata, "created_at": v.created_at,
    }  # fmt: skip
