"""The histograms the worker processes observe (summed across processes by ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Histogram, multiprocess

from watcher_celery.metrics.multiproc import dead_pids, prepare

# Seconds: from a dummy action to an hour-long cold migration or audit.
BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, float("inf"))

AUDIT_SECONDS = Histogram(
    "watcher_audit_duration_seconds",
    "Time of one audit run in the decision engine, by strategy and the state it ended in.",
    ["strategy", "state"],
    buckets=BUCKETS,
)
STRATEGY_SECONDS = Histogram(
    "watcher_strategy_duration_seconds",
    "Time a strategy took to compute its solution.",
    ["strategy"],
    buckets=BUCKETS,
)
PLAN_SECONDS = Histogram(
    "watcher_action_plan_duration_seconds",
    "Time from an action plan's start to its end, by the state it ended in.",
    ["state"],
    buckets=BUCKETS,
)
ACTION_SECONDS = Histogram(
    "watcher_action_duration_seconds",
    "Time of one action in the applier, by type and outcome.",
    ["action_type", "outcome"],
    buckets=BUCKETS,
)


def forget_dead_processes() -> int:
    """Drop the live-gauge files of processes that are gone (a worker child replaced, a gunicorn
    worker restarted); their counters and histograms stay, so totals never go backwards."""
    pids = dead_pids(prepare())
    for pid in pids:
        multiprocess.mark_process_dead(pid)
    return len(pids)
