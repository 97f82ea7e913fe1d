"""What each host holds, as Placement shows it, including migrations that hold two hosts.

A server being migrated, or waiting in VERIFY_RESIZE, holds resources on both hosts until the
migration is confirmed or reverted: its own allocation where it is, its migration's (the
consumer is the migration uuid) on the other host — the destination before the move, the
source after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from watcher_celery.cloud.sim import phases
from watcher_celery.cloud.sim.jsonio import flavor_disk

Flavor = Callable[[str], dict[str, Any]]


def resources(size: dict[str, Any]) -> dict[str, int]:
    return {"VCPU": size["vcpus"], "MEMORY_MB": size["ram"], "DISK_GB": flavor_disk(size)}


def held_elsewhere(conn) -> list[tuple[str, str, str]]:
    """(host, flavor, migration uuid) of what migrations hold on the instance's other host."""
    marks = ",".join("?" * len(phases.HOLDING))
    rows = conn.execute(
        "SELECT o.uuid, o.source, o.dest, o.old_flavor, o.new_flavor, i.host "
        "FROM operations o JOIN instances i ON i.uuid = o.resource "  # noqa: S608
        f"WHERE o.kind IN ('live-migration', 'migration', 'resize') AND o.status IN ({marks})",
        tuple(phases.HOLDING),
    )
    held = []
    for op_uuid, source, dest, old, new, host in rows:
        if dest is None:
            continue
        held.append((dest, new, op_uuid) if host == source else (source, old, op_uuid))
    return held


def host_usage(conn, flavor: Flavor) -> dict[str, tuple[int, int, int, int]]:
    """(vcpus, memory MB, disk GB, instance count) allocated per host."""
    rows = conn.execute(
        "SELECT host, SUM(vcpus), SUM(memory_mb), SUM(disk_gb), COUNT(*) FROM instances "
        "WHERE host IS NOT NULL AND state != 'deleted' GROUP BY host"
    )
    usage = {r[0]: [r[1], r[2], r[3], r[4]] for r in rows}
    for host, name, _consumer in held_elsewhere(conn):
        size = resources(flavor(name))
        used = usage.setdefault(host, [0, 0, 0, 0])
        used[0] += size["VCPU"]
        used[1] += size["MEMORY_MB"]
        used[2] += size["DISK_GB"]
    return {host: tuple(used) for host, used in usage.items()}


def of_consumer(conn, consumer: str, flavor: Flavor) -> dict[str, dict[str, int]]:
    """A consumer's allocations (an instance, or a migration) by hostname."""
    row = conn.execute(
        "SELECT host, flavor FROM instances WHERE uuid = ? AND state != 'deleted'", (consumer,)
    ).fetchone()
    holders = [(row[0], row[1])] if row and row[0] else []
    holders += [(host, name) for host, name, c in held_elsewhere(conn) if c == consumer]
    return {host: resources(flavor(name)) for host, name in holders}
