"""Housekeeping tasks (their own queue, see ``queues.py``)."""

from __future__ import annotations

from watcher_celery.celery_app import app
from watcher_celery.housekeeping.sweeper import sweep

SWEEP = "watcher.housekeeping.sweep"


@app.task(name=SWEEP, ignore_result=True)
def sweep_task() -> dict:
    return sweep().as_dict()
