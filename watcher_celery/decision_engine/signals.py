"""The decision engine's part in a worker's start: the plugins' goals and strategies are
written to the database before the first audit runs.

Loaded by name with the task modules (``celery_app.WORKER_MODULES``).
"""

from __future__ import annotations

from celery import signals

from watcher_celery.decision_engine.sync import sync_plugins


def _sync_plugins_at_start(**_kwargs) -> None:
    sync_plugins()


signals.worker_init.connect(_sync_plugins_at_start, weak=False)
