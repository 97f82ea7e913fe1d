"""Outbox rows: written with the state change that asks for work, claimed and marked by relays.

A relay claims a row with a conditional UPDATE (``claimed_at`` as it read it), so two relays —
the API's post-commit kick and beat's loop — never both send one row while the first is alive;
a claim older than the claim timeout belongs to a relay that died and may be taken again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from watcher_celery import logcontext
from watcher_celery.db import OutboxMessage
from watcher_celery.db.models import utcnow

# Called after a commit that wrote outbox rows (the relay registers its kick here).
COMMIT_HOOKS: list[Callable[[], None]] = []
_FLAG = "outbox.written"


def enqueue(session: Session, task: str, target_uuid: str) -> None:
    """Ask for ``task(target_uuid)`` in the caller's transaction: it exists iff they commit."""
    request_id = logcontext.current().get("request_id")
    session.add(OutboxMessage(task=task, target_uuid=target_uuid, request_id=request_id))
    session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_FLAG, False):
        for hook in COMMIT_HOOKS:
            hook()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)


def claim(session: Session, limit: int, claim_timeout: timedelta) -> list[OutboxMessage]:
    """Claim up to ``limit`` unsent rows, oldest first; returns the rows this caller won."""
    now = utcnow()
    candidates = session.execute(
        select(OutboxMessage.id, OutboxMessage.claimed_at)
        .where(
            OutboxMessage.sent_at.is_(None),
            (OutboxMessage.claimed_at.is_(None)) | (OutboxMessage.claimed_at < now - claim_timeout),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    won = []
    for row_id, seen in candidates:
        moved = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row_id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.claimed_at.is_not_distinct_from(seen),
            )
            .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved:
            won.append(row_id)
    if not won:
        return []
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(won))))


def mark_sent(session: Session, row_id: int) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def release(session: Session, row_id: int) -> None:
    """The send failed: let the next relay pass take the row at once."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.sent_at.is_(None))
        .values(claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def unsent_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )


def recently_asked(session: Session, target_uuids: list[str], since: datetime) -> set[str]:
    """Targets with a row still unsent or sent after ``since`` (their message may be on its
    way): the sweeper leaves those alone."""
    if not target_uuids:
        return set()
    return set(
        session.scalars(
            select(OutboxMessage.target_uuid).where(
                OutboxMessage.target_uuid.in_(target_uuids),
                (OutboxMessage.sent_at.is_(None)) | (OutboxMessage.sent_at > since),
            )
        )
    )


def prune_sent(session: Session, before: datetime) -> int:
    """Forget rows sent before ``before``; the unsent ones stay whatever their age."""
    return session.execute(delete(OutboxMessage).where(OutboxMessage.sent_at < before)).rowcount
