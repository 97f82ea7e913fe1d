"""The heat map's input from a cluster model: each host's load, and the sizes of the
instances a plan touches (the only ones a forecast needs, so 200,000 never travel)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from watcher_celery.forecast.whatif import HostLoad, InstanceSize
from watcher_celery.model import ClusterModel


def host_loads(model: ClusterModel) -> list[HostLoad]:
    """Every host of ``model``, sorted by zone then name."""
    loads = []
    for node in model.nodes.values():
        used = model.used(node.hostname)
        loads.append(
            HostLoad(
                hostname=node.hostname,
                zone=node.availability_zone or "",
                aggregates=tuple(node.aggregates),
                vcpus_used=used.vcpus,
                vcpus_capacity=node.vcpu_capacity,
                memory_used=used.memory,
                memory_capacity=node.memory_capacity,
                disk_used=used.disk,
                disk_capacity=node.disk_capacity,
                instances=used.count,
                status=node.status,
                state=node.state,
            )
        )
    return sorted(loads, key=lambda h: (h.zone, h.hostname))


def instance_sizes(model: ClusterModel, uuids: Iterable[str]) -> dict[str, InstanceSize]:
    """The instances of ``uuids`` the model knows, where they are and how big."""
    sizes = {}
    for uuid in uuids:
        instance = model.instances.get(uuid)
        if instance is not None:
            sizes[uuid] = InstanceSize(
                uuid, instance.host, instance.vcpus, instance.memory, instance.disk
            )
    return sizes


HOST_COLUMNS = (
    "hostname", "zone", "aggregates", "vcpus_used", "vcpus_capacity", "memory_used",
    "memory_capacity", "disk_used", "disk_capacity", "instances", "status", "state",
)  # fmt: skip


def host_table(hosts: Iterable[HostLoad]) -> dict[str, Any]:
    """Hosts as ``{"columns", "rows"}``: 10,000 hosts in a third of the bytes of objects."""
    return {
        "columns": list(HOST_COLUMNS),
        "rows": [[_plain(getattr(h, c)) for c in HOST_COLUMNS] for h in hosts],
    }


def hosts_from_table(table: dict[str, Any]) -> list[HostLoad]:
    columns = table["columns"]
    return [HostLoad(**dict(zip(columns, row, strict=True))) for row in table["rows"]]


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float):
        return round(value, 2)
    return value


def size_table(sizes: dict[str, InstanceSize]) -> list[list[Any]]:
    return [[s.uuid, s.host, s.vcpus, s.memory, s.disk] for s in sizes.values()]


def sizes_from_table(rows: list[list[Any]]) -> dict[str, InstanceSize]:
    return {row[0]: InstanceSize(*row) for row in rows}
