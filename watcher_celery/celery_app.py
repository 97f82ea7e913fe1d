"""The Celery application, its base task and the signal handlers, in one ordered list."""

from __future__ import annotations

import logging

from celery import Celery, Task, signals

from watcher_celery import task_context
from watcher_celery.db.session import reset_engine
from watcher_celery.metrics import forget_dead_processes, plan_timing
from watcher_celery.outbox import relay

LOG = logging.getLogger(__name__)

TASK_MODULES = (
    "watcher_celery.decision_engine.tasks",
    "watcher_celery.applier.tasks",
    "watcher_celery.housekeeping.tasks",
)


class WatcherTask(Task):
    """Base task: acknowledged late and re-queued if the worker dies, so safe to run twice."""

    acks_late = True
    reject_on_worker_lost = True


app = Celery("watcher_celery", task_cls=WatcherTask, include=list(TASK_MODULES))
app.config_from_object("celeryconfig")
# Every process that commits outbox rows (API, workers) relays them right after the commit.
relay.install(app)


def _reset_engine_after_fork(**_kwargs) -> None:
    """Connections must not be shared across fork: each worker child opens its own."""
    reset_engine()


def _sync_plugins_at_start(**_kwargs) -> None:
    from watcher_celery.decision_engine.sync import sync_plugins

    sync_plugins()


def _heartbeat_worker(**_kwargs) -> None:
    from watcher_celery import heartbeat

    heartbeat.start(heartbeat.WORKER_SERVICES)


def _heartbeat_beat(**_kwargs) -> None:
    from watcher_celery import heartbeat

    heartbeat.start(heartbeat.BEAT_SERVICES)


def _relay_from_beat(sender=None, **_kwargs) -> None:
    """Beat relays the outbox on a timer: rows whose writer died before relaying, or written
    while the broker was down, are delivered once it answers."""
    from watcher_celery.config import get_settings

    relay.start_polling(sender.app, get_settings().outbox_relay_interval)


def _reset_applier_after_fork(**_kwargs) -> None:
    """The applier's watchdog thread and event publisher are per process."""
    from watcher_celery.applier.watchdog import reset_after_fork
    from watcher_celery.events import reset_publisher

    reset_after_fork()
    reset_publisher()


def _reclaim_at_start(sender=None, **_kwargs) -> None:
    """Resume plans a dead worker left behind, once their leases have aged."""
    from watcher_celery.config import get_settings

    lease = get_settings().applier_lease_seconds
    sender.app.send_task("watcher.applier.reclaim_abandoned_plans", countdown=lease + 1)


def _forget_dead_metrics(**_kwargs) -> None:
    """A replaced worker child's live gauges must not be summed with the living ones."""
    forget_dead_processes()


# Handlers connected in this order; each is small and does one thing.
HANDLERS = (
    (signals.after_setup_logger, task_context.install_logging),
    (signals.after_setup_task_logger, task_context.install_logging),
    (signals.before_task_publish, task_context.name_the_subject),
    (signals.task_prerun, task_context.prologue),
    (signals.task_postrun, task_context.epilogue),
    (signals.worker_init, task_context.quiet_periodic_tasks),
    (signals.beat_init, task_context.beat_sends_no_sent_events),
    (signals.worker_init, _forget_dead_metrics),
    (signals.worker_process_init, plan_timing.install),
    (signals.worker_process_init, _reset_engine_after_fork),
    (signals.worker_init, _sync_plugins_at_start),
    (signals.worker_ready, _heartbeat_worker),
    (signals.beat_init, _heartbeat_beat),
    (signals.beat_init, _relay_from_beat),
    (signals.worker_process_init, _reset_applier_after_fork),
    (signals.worker_ready, _reclaim_at_start),
)

for _signal, _handler in HANDLERS:
    _signal.connect(_handler, weak=False)
