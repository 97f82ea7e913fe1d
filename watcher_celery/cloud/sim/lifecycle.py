"""How simulated operations end: settling those whose time is up, and injected failures.

Run inside the caller's write transaction, by whichever process touches the store next, so
no background thread is needed and every process sees the same outcome. The steps and their
durations are in ``sim/phases.py``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from watcher_celery.cloud.sim import phases
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


OP_FIELDS = (
    "id, kind, resource, source, dest, status, started, done_at, old_flavor, new_flavor, "
    "prev_state, fail_message, next_at"
)


def settle(conn, now: float | None = None) -> None:
    """Move every operation whose current step is over to the step the time says."""
    now = time.time() if now is None else now
    due = conn.execute(
        f"SELECT {OP_FIELDS} FROM operations WHERE next_at IS NOT NULL AND next_at <= ?",  # noqa: S608
        (now,),
    ).fetchall()
    for row in due:
        op = dict(zip([f.strip() for f in OP_FIELDS.split(",")], row, strict=True))
        if op["kind"] == "volume-migration":
            _finish_volume_migration(conn, op)
        else:
            _advance(conn, op, now)


def start(kind: str, status: str, started: float, span: float) -> tuple[float, str | None]:
    """When the first step of an operation ends, and the server's task_state during it."""
    step = phases.STEPS[kind][status]
    return started + step.share * span, step.task_state


def _advance(conn, op: dict, now: float) -> None:
    steps = phases.STEPS[op["kind"]]
    span = max(op["done_at"] - op["started"], 0.0)
    status, at, resource = op["status"], op["next_at"], op["resource"]
    while at is not None and at <= now:
        if op["fail_message"] and status == phases.FAILS_LEAVING.get(op["kind"]):
            _fail(conn, resource, op["fail_message"], at + phases.REASON_LATE * span)
            status, at = "error", None
            break
        status = steps[status].following
        _enter(conn, op, status)
        step = steps.get(status)
        at = at + step.share * span if step else None
        conn.execute(
            "UPDATE instances SET task_state = ? WHERE uuid = ?",
            (step.task_state if step else None, resource),
        )
    conn.execute(
        "UPDATE operations SET status = ?, next_at = ? WHERE id = ?", (status, at, op["id"])
    )


def _enter(conn, op: dict, status: str) -> None:
    """What the server shows once the operation reaches ``status``."""
    resource = op["resource"]
    if status == phases.FINISHING:
        conn.execute("UPDATE instances SET host = ? WHERE uuid = ?", (op["dest"], resource))
        set_flavor(conn, resource, op["new_flavor"])
    elif status == "finished":
        conn.execute("UPDATE instances SET state = 'resized' WHERE uuid = ?", (resource,))
    elif status == "completed":
        conn.execute("UPDATE instances SET host = ? WHERE uuid = ?", (op["dest"], resource))
    elif status == "confirmed":
        state = op["prev_state"] or "active"
        conn.execute("UPDATE instances SET state = ? WHERE uuid = ?", (state, resource))
    elif status == "reverted":
        set_flavor(conn, resource, op["old_flavor"])
        conn.execute(
            "UPDATE instances SET host = ?, state = ? WHERE uuid = ?",
            (op["source"], op["prev_state"] or "active", resource),
        )
    elif status in ("stopped", "active"):
        conn.execute("UPDATE instances SET state = ? WHERE uuid = ?", (status, resource))


def _fail(conn, resource: str, message: str, at: float) -> None:
    """Nova's late failure: the migration in ``error``, the server idle where it was, the
    reason in its fault from ``at`` (a moment after the ``error``, as Nova writes it)."""
    conn.execute("UPDATE instances SET task_state = NULL WHERE uuid = ?", (resource,))
    conn.execute(
        "INSERT OR REPLACE INTO faults (instance, message, created) VALUES (?, ?, ?)",
        (resource, message, at),
    )


def _finish_volume_migration(conn, op: dict) -> None:
    status = "error" if op["fail_message"] else "success"
    if not op["fail_message"]:
        conn.execute("UPDATE volumes SET pool = ? WHERE uuid = ?", (op["dest"], op["resource"]))
    conn.execute("UPDATE volumes SET migration_status = ? WHERE uuid = ?", (status, op["resource"]))
    conn.execute(
        "UPDATE operations SET status = ?, next_at = NULL WHERE id = ?", (status, op["id"])
    )
