"""Where a moved instance goes in the simulated cloud: a checked destination, or the host
with the most free vCPUs that fits (a spreading scheduler), in the instance's zone if pinned.

Server groups are Nova's filters: a member of an ``anti-affinity`` group never goes to a host
holding another member, a member of an ``affinity`` group only to one that does (so, its
members sharing one host, never anywhere); the soft policies are Nova's weighers, not filters,
and refuse nothing.
"""

from __future__ import annotations

from watcher_celery.errors import CloudError

HOST_FIT_COLS = (
    "hostname, state, status, availability_zone, vcpus, vcpu_reserved, vcpu_ratio, memory_mb, "
    "memory_mb_reserved, memory_ratio, disk_gb, disk_gb_reserved, disk_ratio"
)


def host(conn, hostname: str):
    row = conn.execute(
        f"SELECT {HOST_FIT_COLS} FROM hosts WHERE hostname = ?",  # noqa: S608 - fixed names
        (hostname,),
    ).fetchone()
    if row is None:
        raise CloudError(f"Compute host {hostname} could not be found")
    return row


def fits(row, used, need) -> float | None:
    """Free vCPUs left after placing ``need`` (vcpus, MB, GB), or None if it does not fit."""
    if row[1] != "up" or row[2] != "enabled":
        return None
    used = used or (0, 0, 0, 0)
    free = (
        (row[4] - row[5]) * row[6] - used[0] - need[0],
        (row[7] - row[8]) * row[9] - used[1] - need[1],
        (row[10] - row[11]) * row[12] - used[2] - need[2],
    )
    return free[0] if min(free) >= 0 else None


def group_filter(conn, instance_uuid: str):
    """A test ``host -> allowed`` for the instance's hard server-group policy (None: no rule)."""
    row = conn.execute(
        "SELECT g.uuid, g.policy FROM server_group_members m "
        "JOIN server_groups g ON g.uuid = m.group_uuid WHERE m.instance = ?",
        (instance_uuid,),
    ).fetchone()
    if row is None or row[1] not in ("affinity", "anti-affinity"):
        return None
    others = {
        host
        for (host,) in conn.execute(
            "SELECT i.host FROM server_group_members m JOIN instances i ON i.uuid = m.instance "
            "WHERE m.group_uuid = ? AND m.instance != ? AND i.state != 'deleted'",
            (row[0], instance_uuid),
        )
    }
    if row[1] == "affinity":
        return others.__contains__
    return lambda host: host not in others


def destination(conn, inst: dict, wanted: str | None, need, usage) -> str:
    """``wanted`` if it can take the instance, else (when None) the best host; or raise."""
    allowed = group_filter(conn, inst["uuid"])
    if wanted is not None:
        row = host(conn, wanted)
        if wanted == inst["host"]:
            raise CloudError(f"Instance {inst['uuid']} is already on host {wanted}")
        if fits(row, usage.get(wanted), need) is None:
            raise CloudError(
                f"No valid host: {wanted} cannot take instance {inst['uuid']} "
                "(disabled, down or short of capacity)"
            )
        if allowed is not None and not allowed(wanted):
            raise CloudError(
                f"No valid host: {wanted} would break the server group policy of instance "
                f"{inst['uuid']}"
            )
        return wanted
    best, best_free = None, -1.0
    for row in conn.execute(f"SELECT {HOST_FIT_COLS} FROM hosts ORDER BY hostname"):  # noqa: S608
        if row[0] == inst["host"] or (inst["az"] and row[3] != inst["az"]):
            continue
        if allowed is not None and not allowed(row[0]):
            continue
        free = fits(row, usage.get(row[0]), need)
        if free is not None and free > best_free:
            best, best_free = row[0], free
    if best is None:
        raise CloudError(f"No valid host was found for instance {inst['uuid']}")
    return best
