"""The Celery application, its base task, and what every process of it needs.

Each feature connects its own signal handlers in its own module, which the worker loads by
name with the task modules (``include``): the applier's in ``applier/signals.py``, the
decision engine's in ``decision_engine/signals.py``. Only what concerns every process stays
here: a fresh database engine after fork, the services' heartbeat, the outbox relay.
"""

from __future__ import annotations

import logging

from celery import Celery, Task, signals

from watcher_celery import heartbeat, task_context
from watcher_celery.config import get_settings
from watcher_celery.db.session import reset_engine
from watcher_celery.metrics import forget_dead_processes, plan_timing
from watcher_celery.outbox import relay

LOG = logging.getLogger(__name__)

# Loaded by name when a worker or beat starts; in this order, so handlers connect in it.
WORKER_MODULES = (
    "watcher_celery.decision_engine.signals",
    "watcher_celery.decision_engine.tasks",
    "watcher_celery.applier.signals",
    "watcher_celery.applier.tasks",
    "watcher_celery.housekeeping.tasks",
)


class WatcherTask(Task):
    """Base task: acknowledged late and re-queued if the worker dies, so safe to run twice."""

    acks_late = True
    reject_on_worker_lost = True


app = Celery("watcher_celery", task_cls=WatcherTask, include=list(WORKER_MODULES))
app.config_from_object("celeryconfig")
# Every process that commits outbox rows (API, workers) relays them right after the commit.
relay.install(app)


def _reset_engine_after_fork(**_kwargs) -> None:
    """Connections must not be shared across fork: each worker child opens its own."""
    reset_engine()


def _heartbeat_worker(**_kwargs) -> None:
    heartbeat.start(heartbeat.WORKER_SERVICES)


def _heartbeat_beat(**_kwargs) -> None:
    heartbeat.start(heartbeat.BEAT_SERVICES)


def _relay_from_beat(sender=None, **_kwargs) -> None:
    """Beat relays the outbox on a timer: rows whose writer died before relaying, or written
    while the broker was down, are delivered once it answers."""
    relay.start_polling(sender.app, get_settings().outbox_relay_interval)


def _forget_dead_metrics(**_kwargs) -> None:
    """A replaced worker child's live gauges must not be summed with the living ones."""
    forget_dead_processes()


# Handlers connected in this order, before those of the modules above; each does one thing.
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
    (signals.worker_ready, _heartbeat_worker),
    (signals.beat_init, _heartbeat_beat),
    (signals.beat_init, _relay_from_beat),
)

for _signal, _handler in HANDLERS:
    _signal.connect(_handler, weak=False)
