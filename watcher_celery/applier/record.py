"""The durable execution record of an action (``action_executions``).

Written in the transaction that moves the action to ONGOING, so "ONGOING" always means "the
command may have been sent, and here is by whom and when". The running worker refreshes
``heartbeat_at``; a record whose heartbeat is older than the lease belongs to a dead worker and
may be taken over (:func:`take_over`, a conditional UPDATE, so only one worker wins).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from watcher_celery.config import get_settings
from watcher_celery.db import ActionExecution, session_scope
from watcher_celery.db.models import utcnow


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def lease() -> timedelta:
    return timedelta(seconds=get_settings().applier_lease_seconds)


def get(session: Session, action_uuid: str) -> ActionExecution | None:
    return session.get(ActionExecution, action_uuid, populate_existing=True)


def first_command(session: Session, action_uuid: str, before: dict | None = None) -> None:
    """The record of a PENDING action's first command (it has none: ONGOING and the record
    are written together)."""
    now = utcnow()
    session.execute(
        insert(ActionExecution.__table__).values(
            action_uuid=action_uuid,
            worker=worker_name(),
            commands_sent=1,
            started_at=now,
            heartbeat_at=now,
            before=before,
        )
    )


def command_sent(session: Session, action_uuid: str) -> None:
    """Count one more sending of the command (a resumed action that never sent it)."""
    record = get(session, action_uuid)
    if record is None:
        first_command(session, action_uuid)
    else:
        record.commands_sent += 1
        record.worker, record.heartbeat_at = worker_name(), utcnow()
    session.flush()


def before_of(action_uuid: str) -> dict:
    """What the action saw before its command (empty if it never sent one)."""
    with session_scope() as session:
        record = get(session, action_uuid)
        return dict(record.before or {}) if record is not None else {}


def finished(session: Session, action_uuid: str, outcome: str) -> None:
    table = ActionExecution.__table__
    session.execute(
        update(table)
        .where(table.c.action_uuid == action_uuid)
        .values(finished_at=utcnow(), outcome=outcome)
    )


def is_stale(record: ActionExecution, now: datetime | None = None) -> bool:
    return (now or utcnow()) - record.heartbeat_at > lease()


def take_over(session: Session, record: ActionExecution) -> bool:
    """Claim a stale record for this worker; False if another worker got it first."""
    won = session.execute(
        update(ActionExecution)
        .where(
            ActionExecution.action_uuid == record.action_uuid,
            ActionExecution.heartbeat_at == record.heartbeat_at,
        )
        .values(worker=worker_name(), heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return won == 1


def heartbeat(action_uuids: list[str]) -> None:
    if not action_uuids:
        return
    with session_scope() as session:
        session.execute(
            update(ActionExecution)
            .where(ActionExecution.action_uuid.in_(action_uuids))
            .values(heartbeat_at=utcnow())
        )


def stale_action_uuids(session: Session, action_uuids: list[str]) -> list[str]:
    """Of the given actions, those whose record's heartbeat is older than the lease."""
    if not action_uuids:
        return []
    records = session.scalars(
        select(ActionExecution).where(ActionExecution.action_uuid.in_(action_uuids))
    )
    return [r.action_uuid for r in records if r.finished_at is None and is_stale(r)]
