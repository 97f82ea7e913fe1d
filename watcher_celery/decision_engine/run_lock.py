"""Who is running an audit right now: a PostgreSQL advisory lock held for the whole run.

The lock lives on a connection of the running worker, so it disappears with that worker — the
database itself tells a live run from one whose worker vanished, with no lease to wait out.
``run_audit`` takes it before claiming the audit: a second delivery of the same audit (at-least-
once dispatch, a broker re-delivery) finds it held and does nothing, and the sweeper
(``housekeeping/sweeper.py``) re-dispatches an ONGOING audit only when nobody holds it.

On other databases (SQLite under ``make run``) there is no such lock: a run is taken to be
alive until ``WATCHER_AUDIT_LEASE`` has passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from watcher_celery.db import get_engine

# Advisory locks are keyed by two integers: this namespace, then the audit's id.
NAMESPACE = 0x57A7


def supported() -> bool:
    return get_engine().dialect.name == "postgresql"


@contextmanager
def audit_run(audit_id: int) -> Iterator[bool]:
    """Hold the audit's run lock for the block; yields False when another run holds it."""
    if not supported():
        yield True
        return
    with get_engine().connect() as connection:
        won = connection.scalar(
            text("SELECT pg_try_advisory_lock(:ns, :id)"), {"ns": NAMESPACE, "id": audit_id}
        )
        connection.commit()
        try:
            yield bool(won)
        finally:
            if won:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:ns, :id)"), {"ns": NAMESPACE, "id": audit_id}
                )
                connection.commit()


def is_running(audit_id: int) -> bool | None:
    """True if a live run holds the audit; None when the database cannot tell."""
    if not supported():
        return None
    with audit_run(audit_id) as free:
        return not free
