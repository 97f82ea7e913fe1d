"""Celery settings, derived from the environment through ``watcher_celery.config``.

Production: Redis as broker and result backend (``WATCHER_BROKER_URL``,
``WATCHER_RESULT_BACKEND``). Embedded default: kombu's SQLAlchemy transport and the database
result backend on SQLite files, so ``make run`` needs no server.
"""

from kombu import Queue

from watcher_celery.broker import TRANSPORT
from watcher_celery.config import get_settings
from watcher_celery.queues import APPLIER, ROLES, queue_name, routes

_settings = get_settings()

broker_url = _settings.broker_url
result_backend = _settings.result_backend
broker_connection_retry_on_startup = True

# One queue per role (queues.py). Canvas internals Celery adds itself (chord_unlock on the
# database result backend) go to the applier's queue, where the canvases are.
task_queues = tuple(Queue(queue_name(_settings.task_queue, role)) for role in ROLES)
task_default_queue = queue_name(_settings.task_queue, APPLIER)
task_routes = routes(_settings.task_queue)

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
timezone = "UTC"
enable_utc = True

# A worker can die at any line: tasks are acknowledged after they finish and re-queued if the
# worker process is lost, so every task must be safe to run twice.
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
worker_send_task_events = True
task_send_sent_event = True
result_expires = 3600

if _settings.embedded:
    # The SQL transport polls; a short interval keeps ``make run`` responsive.
    broker_transport_options = {}
    broker_pool_limit = None
else:
    # Redis hands an unacknowledged message (its worker died) back after the visibility
    # timeout, scanned every ``unacked_restore_interval`` seconds; kombu's defaults are an hour
    # and a scan every ~100 s. A task running longer than the timeout is handed out again
    # while it runs: the copy finds its action or audit owned by a live worker and does
    # nothing (docs/reliability.md). RabbitMQ ignores these: it returns a dead consumer's
    # messages at once.
    broker_transport_options = {
        "visibility_timeout": _settings.broker_visibility_timeout,
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
    if _settings.broker_url.startswith(("redis://", "rediss://")):
        # kombu's Redis transport, minus the worker exit when Redis restarts (broker.py).
        broker_transport = TRANSPORT

beat_schedule = {
    "supersede-expired-action-plans": {
        "task": "watcher.decision_engine.supersede_expired_plans",
        "schedule": float(_settings.check_periodic_interval),
    },
    # CONTINUOUS audits: the audits table is the schedule; this tick claims the due runs.
    "run-due-continuous-audits": {
        "task": "watcher.decision_engine.schedule_continuous_audits",
        "schedule": float(_settings.continuous_audit_interval),
    },
    # The events outbox keeps WATCHER_EVENTS_RETENTION_HOURS of history.
    "prune-old-events": {
        "task": "watcher.applier.prune_events",
        "schedule": 3600.0,
    },
    # Accepted work that never started (message lost) or whose worker vanished.
    "sweep-stranded-work": {
        "task": "watcher.housekeeping.sweep",
        "schedule": float(_settings.sweep_interval),
    },
    "reclaim-abandoned-action-plans": {
        "task": "watcher.applier.reclaim_abandoned_plans",
        "schedule": float(_settings.applier_lease_seconds),
    },
}
