"""Which task ids are still on their way: waiting in the broker queue or held by a live worker.

Recovery uses this to tell a lost message (its worker died holding it) from one that is just
waiting its turn behind long actions, so it never re-dispatches work that will still arrive.
Returns None when it cannot tell (a broker it cannot scan), and recovery then leaves claims
alone. Redis (production) and kombu's SQL transport (the embedded ``make run`` broker) are
scanned.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import create_engine, inspect, text

from watcher_celery.celery_app import app
from watcher_celery.config import get_settings
from watcher_celery.queues import APPLIER, queue_name

LOG = logging.getLogger(__name__)


def queued_task_ids(app) -> set[str] | None:
    """Task ids waiting in the broker for the applier's queue; None for a broker we cannot
    scan."""
    settings = get_settings()
    queue = queue_name(settings.task_queue, APPLIER)
    if settings.broker_url.startswith(("redis://", "rediss://")):
        with app.connection_for_read() as connection:
            client = connection.default_channel.client
            return message_ids(client.lrange(queue, 0, -1))
    if settings.broker_url.startswith("sqla+"):
        return sql_queued_task_ids(settings.broker_url, queue)
    return None


def sql_queued_task_ids(broker_url: str, queue: str) -> set[str]:
    """The embedded broker (kombu's SQL transport) keeps delivered messages with ``visible``
    false: the visible ones of the queue are those still waiting."""
    engine = create_engine(broker_url.removeprefix("sqla+"))
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("kombu_message"):
                return set()  # nothing was ever sent
            rows = connection.execute(
                text(
                    "SELECT m.payload FROM kombu_message m JOIN kombu_queue q "
                    "ON m.queue_id = q.id WHERE q.name = :queue AND m.visible"
                ),
                {"queue": queue},
            )
            return message_ids(row[0] for row in rows)
    finally:
        engine.dispose()


def message_ids(raw_messages) -> set[str]:
    """The task ids of serialized kombu messages (Celery puts it in the headers)."""
    ids = set()
    for item in raw_messages:
        try:
            ids.add(json.loads(item)["headers"]["id"])
        except (ValueError, KeyError, TypeError):
            continue
    return ids


def held_task_ids(app, timeout: float = 1.0) -> set[str]:
    """Task ids live workers are running, have prefetched or hold for later."""
    inspector = app.control.inspect(timeout=timeout)
    ids: set[str] = set()
    for reply in (inspector.active(), inspector.reserved(), inspector.scheduled()):
        for tasks in (reply or {}).values():
            for task in tasks:
                request = task.get("request", task)
                if request.get("id"):
                    ids.add(request["id"])
    return ids


def inflight_task_ids() -> set[str] | None:
    try:
        queued = queued_task_ids(app)
        if queued is None:
            return None
        return queued | held_task_ids(app)
    except Exception:  # unknown means "do not touch": recovery retries next period
        LOG.exception("could not list in-flight tasks")
        return None
