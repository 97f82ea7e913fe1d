"""The bare-Celery side of ``bench/applier.py``: a no-op task and a completion counter.

Loaded into the benchmark's worker with ``--include bench.noop_tasks``; registered on the
project's own app so both sides share broker, serializer, acks_late and prefetch settings.
"""

from __future__ import annotations

import redis

from watcher_celery.celery_app import app
from watcher_celery.config import get_settings


@app.task(name="bench.noop", ignore_result=True)
def noop(*_args) -> None:
    """Does nothing: the floor an action is compared with."""


_client: redis.Redis | None = None


@app.task(name="bench.count", ignore_result=True)
def count(key: str) -> None:
    """Mark one finished branch (the end of a chain or of a group member). One client per
    worker process, so the bare side pays no connection per task."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(get_settings().broker_url)
    _client.incr(key)
