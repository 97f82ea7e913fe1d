"""Prometheus metrics (docs/operations.md): instruments the workers observe, gauges read from
the database and the broker at scrape time, and the exposition ``/metrics`` serves.

The multiprocess directory is set before prometheus-client is first imported (``multiproc``).
"""

from watcher_celery.metrics import multiproc

multiproc.prepare()

from watcher_celery.metrics.exposition import CONTENT_TYPE, render  # noqa: E402
from watcher_celery.metrics.instruments import (  # noqa: E402
    ACTION_SECONDS,
    AUDIT_SECONDS,
    PLAN_SECONDS,
    STRATEGY_SECONDS,
    forget_dead_processes,
)

__all__ = [
    "ACTION_SECONDS",
    "AUDIT_SECONDS",
    "CONTENT_TYPE",
    "PLAN_SECONDS",
    "STRATEGY_SECONDS",
    "forget_dead_processes",
    "render",
]
