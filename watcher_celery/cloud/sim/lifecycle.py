"""How simulated operations end: settling those whose time is up, and injected failures.

Run inside the caller's write transaction, by whichever process touches the store next, so
no background thread is needed and every process sees the same outcome.
"""

from __future__ import annotations

import json
import time
from typing import Any

from watcher_celery.cloud.sim.jsonio import flavor_disk

FLAVOR_KEYS = ("name", "id", "vcpus", "ram", "disk", "ephemeral", "swap", "extra_specs")


def flavors(conn) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT {', '.join(FLAVOR_KEYS)} FROM flavors")  # noqa: S608
    return [
        {**dict(zip(FLAVOR_KEYS, r, strict=True)), "extra_specs": json.loads(r[7])} for r in rows
    ]


def flavor(conn, name_or_id: str) -> dict[str, Any] | None:
    return next((f for f in flavors(conn) if name_or_id in (f["name"], f["id"])), None)


def set_flavor(conn, instance_uuid: str, name: str) -> None:
    f = flavor(conn, name)
    conn.execute(
        "UPDATE instances SET flavor = ?, vcpus = ?, memory_mb = ?, disk_gb = ?, root_gb = ? "
        "WHERE uuid = ?",
        (f["name"], f["vcpus"], f["ram"], flavor_disk(f), f["disk"], instance_uuid),
    )


def take_failure(conn, operation: str, resource: str, phase: str) -> str | None:
    """The message of the first matching injected failure (used up), or None."""
    row = conn.execute(
        "SELECT id, message, remaining FROM failures WHERE operation = ? AND phase = ? "
        "AND resource IN (?, '*') ORDER BY resource = '*', id LIMIT 1",
        (operation, phase, resource),
    ).fetchone()
    if row is None:
        return None
    if row[2] == 1:
        conn.execute("DELETE FROM failures WHERE id = ?", (row[0],))
    elif row[2] > 1:
        conn.execute("UPDATE failures SET remaining = remaining - 1 WHERE id = ?", (row[0],))
    return row[1]


def settle(conn) -> None:
    """Finish every in-flight operation whose simulated time is up."""
    due = conn.execute(
        "SELECT id, kind, resource, dest, new_flavor, fail_message FROM operations "
        "WHERE status IN ('running', 'migrating') AND done_at <= ?",
        (time.time(),),
    ).fetchall()
    for op_id, kind, resource, dest, new_flavor, fail in due:
        if kind == "volume-migration":
            status = "error" if fail else "success"
            if not fail:
                conn.execute("UPDATE volumes SET pool = ? WHERE uuid = ?", (dest, resource))
            conn.execute(
                "UPDATE volumes SET migration_status = ? WHERE uuid = ?", (status, resource)
            )
            conn.execute("UPDATE operations SET status = ? WHERE id = ?", (status, op_id))
            continue
        conn.execute("UPDATE instances SET task_state = NULL WHERE uuid = ?", (resource,))
        if fail:
            conn.execute("UPDATE operations SET status = 'error' WHERE id = ?", (op_id,))
            continue
        conn.execute("UPDATE instances SET host = ? WHERE uuid = ?", (dest, resource))
        if kind == "live-migration":
            conn.execute("UPDATE operations SET status = 'completed' WHERE id = ?", (op_id,))
        else:
            set_flavor(conn, resource, new_flavor)
            conn.execute("UPDATE instances SET state = 'resized' WHERE uuid = ?", (resource,))
            conn.execute("UPDATE operations SET status = 'finished' WHERE id = ?", (op_id,))
