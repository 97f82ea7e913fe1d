"""Operator events (``action_plan.execution.end``, ``action.update`` ...), named as Watcher's
versioned notifications.

An event is written to the ``events`` table in the transaction of the change it reports (the
outbox: readable in embedded mode, and never ahead of the database), then published after
that transaction commits on the Redis pub/sub channel ``WATCHER_EVENTS_CHANNEL`` when the broker
is Redis. A rolled-back change publishes nothing. Publishing failures are logged, never raised:
the state change has already happened. Payloads are described in ``docs/events.md``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from watcher_celery.config import get_settings
from watcher_celery.db import session_scope
from watcher_celery.db.models import Event, utcnow

LOG = logging.getLogger(__name__)
PENDING_KEY = "watcher_events"
ERROR = "ERROR"
INFO = "INFO"

_redis_client = None
# Called in this process with the messages of each commit (metrics observe plan ends there).
COMMIT_LISTENERS: list[Callable[[list[dict]], None]] = []


def priority_of(event_type: str) -> str:
    """ERROR for the ``*.error`` events, INFO for the others (as Watcher's notifications)."""
    return ERROR if event_type.endswith(".error") else INFO


def envelope(event_type: str, priority: str, object_name: str, data: dict[str, Any]) -> dict:
    """The message operators receive: Watcher's notification envelope."""
    return {
        "event_type": event_type,
        "priority": priority,
        "publisher_id": f"infra-optim:{get_settings().host}",
        "timestamp": utcnow().isoformat(),
        "payload": {
            "watcher_object.name": object_name,
            "watcher_object.namespace": "watcher",
            "watcher_object.version": "1.0",
            "watcher_object.data": data,
        },
    }


def emit(
    session: Session,
    object_name: str,
    events: Iterable[tuple[str, dict[str, Any]]],
) -> None:
    """Record ``(event type, data)`` events in ``session``'s transaction; published once it
    commits.

    One Core INSERT for all of them: the applier emits two or three per state change, and an
    ORM flush per event would cost more than the change itself.
    """
    messages = [envelope(t, priority_of(t), object_name, data) for t, data in events]
    if not messages:
        return
    session.execute(
        insert(Event.__table__),
        [
            {
                "event_type": m["event_type"],
                "priority": m["priority"],
                "publisher_id": m["publisher_id"],
                "payload": m,
                "created_at": utcnow(),
            }
            for m in messages
        ],
    )
    session.info.setdefault(PENDING_KEY, []).extend(messages)


def prune(older_than: datetime, batch: int = 5000) -> int:
    """Delete the events recorded before ``older_than``, a batch per transaction so the sweep
    never holds a long lock on a busy outbox; returns how many went."""
    table = Event.__table__
    removed = 0
    while True:
        with session_scope() as session:
            ids = list(
                session.scalars(
                    select(table.c.id)
                    .where(table.c.created_at < older_than)
                    .order_by(table.c.id)
                    .limit(batch)
                )
            )
            if ids:
                session.execute(delete(table).where(table.c.id.in_(ids)))
        removed += len(ids)
        if len(ids) < batch:
            return removed


def prune_expired() -> int:
    """The retention sweep: events older than ``WATCHER_EVENTS_RETENTION_HOURS`` (0 keeps
    them all)."""
    hours = get_settings().events_retention_hours
    if hours <= 0:
        return 0
    return prune(utcnow() - timedelta(hours=hours))


def _redis():
    global _redis_client
    url = get_settings().broker_url
    if not url.startswith(("redis://", "rediss://")):
        return None
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(url)
    return _redis_client


def reset_publisher() -> None:
    """Forget the Redis connection (after fork, or when settings change)."""
    global _redis_client
    _redis_client = None


def _publish_after_commit(session: Session) -> None:
    messages = session.info.pop(PENDING_KEY, None)
    if not messages:
        return
    for listener in COMMIT_LISTENERS:
        try:
            listener(messages)
        except Exception:  # an observer never undoes or blocks the change
            LOG.exception("event listener %s failed", getattr(listener, "__name__", listener))
    try:
        client = _redis()
        if client is None:
            return
        channel = get_settings().events_channel
        pipe = client.pipeline(transaction=False)
        for message in messages:
            pipe.publish(channel, json.dumps(message, default=str))
        pipe.execute()
    except Exception:  # the change is committed; a lost live copy is logged, the row remains
        LOG.exception("could not publish %d event(s)", len(messages))


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


sa_event.listen(Session, "after_commit", _publish_after_commit)
sa_event.listen(Session, "after_rollback", _forget_after_rollback)
