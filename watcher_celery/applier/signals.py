"""The applier's part in a worker's life: per-process state after fork, recovery at start.

Loaded by name with the task modules (``celery_app.WORKER_MODULES``), so the Celery app knows
nothing of the applier's internals.
"""

from __future__ import annotations

from celery import signals

from watcher_celery import events
from watcher_celery.applier import watchdog
from watcher_celery.applier.tasks import RECLAIM_ABANDONED_PLANS
from watcher_celery.config import get_settings


def _reset_after_fork(**_kwargs) -> None:
    """The watchdog thread and the event publisher are per process."""
    watchdog.reset_after_fork()
    events.reset_publisher()


def _reclaim_at_start(sender=None, **_kwargs) -> None:
    """Resume plans a dead worker left behind, once their leases have aged."""
    lease = get_settings().applier_lease_seconds
    sender.app.send_task(RECLAIM_ABANDONED_PLANS, countdown=lease + 1)


signals.worker_process_init.connect(_reset_after_fork, weak=False)
signals.worker_ready.connect(_reclaim_at_start, weak=False)
