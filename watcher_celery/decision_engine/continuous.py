"""Continuous audits on celery beat; the schedule *is* the audits table (reference §8.5).

A beat entry runs :func:`claim_due_audits` every ``WATCHER_CONTINUOUS_AUDIT_INTERVAL`` seconds.
It reads the CONTINUOUS audits that are PENDING or ONGOING and, for each one due
(``next_run_time`` unset or past, inside its start/end window, no run in progress), advances
``next_run_time`` and sets ``run_started_at`` in one conditional UPDATE that matches only the
values it read. Two beats, or a beat racing itself after a restart, cannot both claim a run,
and a run that outlasts its interval is not started twice: ``run_started_at`` stays set until
``run_audit`` ends it (:func:`end_run`). Nothing is kept in beat's own schedule file, so a
restart loses nothing: ``next_run_time`` in the database says when the next run is due.

Interval audits keep their cadence (the next run is the first multiple of the interval after
now, counted from the previous due time); cron audits run at the next cron match. SUSPENDED,
CANCELLED, FAILED and DELETED audits are simply not selected; resuming one (SUSPENDED →
ONGOING) makes it selectable again, due at its stored ``next_run_time``. An audit whose
``end_time`` has passed ends SUCCEEDED.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from croniter import croniter
from sqlalchemy import select, update

from watcher_celery.db import Audit, session_scope
from watcher_celery.db.models import utcnow
from watcher_celery.states import (
    SCHEDULED_AUDIT_STATES,
    Actor,
    AuditState,
    AuditType,
    transition_where,
)

LOG = logging.getLogger(__name__)
# A run whose worker vanished without re-delivery releases its claim after this long.
RUN_LEASE = timedelta(hours=1)
END_REACHED = "Continuous audit ended: its end_time has passed."


def next_run_time(interval: str, now: datetime, previous: datetime | None) -> datetime:
    """When the run after the one starting ``now`` is due."""
    text = interval.strip()
    if text.isdigit():
        step = timedelta(seconds=int(text))
        if previous is None:
            return now + step
        behind = (now - previous) / step
        return previous + step * max(1, math.floor(behind) + 1)
    return croniter(text, now).get_next(datetime)


def _finish(audit_id: int, state: AuditState, message: str) -> None:
    """End a scheduled audit SUCCEEDED or FAILED (a PENDING one passes through ONGOING)."""
    with session_scope() as session:
        for source, target in (
            (AuditState.PENDING, AuditState.ONGOING),
            (AuditState.ONGOING, state),
        ):
            transition_where(
                session,
                Audit,
                target,
                Actor.SERVICE,
                Audit.id == audit_id,
                expected=source,
                status_message=message,
            )


def claim_due_audits(send: Callable[[str], None], now: datetime | None = None) -> list[str]:
    """Claim every due run, hand each audit UUID to ``send``; return the UUIDs sent."""
    now = now or utcnow()
    with session_scope() as session:
        rows = session.execute(
            select(
                Audit.id,
                Audit.uuid,
                Audit.interval,
                Audit.next_run_time,
                Audit.run_started_at,
                Audit.start_time,
                Audit.end_time,
            ).where(
                Audit.audit_type == AuditType.CONTINUOUS,
                Audit.state.in_(SCHEDULED_AUDIT_STATES),
                Audit.deleted == 0,
            )
        ).all()
    claimed = []
    for row in rows:
        if row.end_time is not None and row.end_time <= now:
            _finish(row.id, AuditState.SUCCEEDED, END_REACHED)
            continue
        due = row.next_run_time
        running = row.run_started_at
        if (
            not row.interval
            or (row.start_time is not None and row.start_time > now)
            or (due is not None and due > now)
            or (running is not None and running > now - RUN_LEASE)
        ):
            continue
        try:
            following = next_run_time(row.interval, now, due)
        except (ValueError, OverflowError, KeyError) as exc:
            # One unschedulable audit must not stop the others: it fails, saying why.
            LOG.warning("audit %s cannot be scheduled: %s", row.uuid, exc)
            _finish(
                row.id, AuditState.FAILED, f"Interval {row.interval!r} cannot be scheduled: {exc}"
            )
            continue
        with session_scope() as session:
            won = session.execute(
                update(Audit)
                .where(
                    Audit.id == row.id,
                    Audit.state.in_(SCHEDULED_AUDIT_STATES),
                    Audit.next_run_time.is_not_distinct_from(row.next_run_time),
                    Audit.run_started_at.is_not_distinct_from(row.run_started_at),
                )
                .values(next_run_time=following, run_started_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
        if won == 1:
            claimed.append(row.uuid)
            send(row.uuid)
    return claimed


def end_run(audit_uuid: str) -> None:
    """A scheduled run is over (whatever its outcome): the audit may be claimed again."""
    with session_scope() as session:
        session.execute(
            update(Audit)
            .where(Audit.uuid == audit_uuid)
            .values(run_started_at=None)
            .execution_options(synchronize_session=False)
        )
