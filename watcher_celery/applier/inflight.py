"""Which task ids are still on their way: waiting in the broker queue or held by a live worker.

Recovery uses this to tell a lost message (its worker died holding it) from one that is just
waiting its turn behind long actions, so it never re-dispatches work that will still arrive.
Returns None when it cannot tell (a broker it cannot scan), and recovery then leaves claims
alone.
"""

from __future__ import annotations

import json
import logging

from watcher_celery.config import get_settings

LOG = logging.getLogger(__name__)


def queued_task_ids(app) -> set[str] | None:
    """Task ids waiting in the Redis list of the applier's queue."""
    settings = get_settings()
    if not settings.broker_url.startswith(("redis://", "rediss://")):
        return None
    with app.connection_for_read() as connection:
        client = connection.default_channel.client
        raw = client.lrange(settings.task_queue, 0, -1)
    ids = set()
    for item in raw:
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
    from watcher_celery.celery_app import app

    try:
        queued = queued_task_ids(app)
        if queued is None:
            return None
        return queued | held_task_ids(app)
    except Exception:  # unknown means "do not touch": recovery retries next period
        LOG.exception("could not list in-flight tasks")
        return None
