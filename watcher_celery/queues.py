"""Queues per role, so decision-engine, applier and housekeeping work scale on their own workers.

Every task is routed by name to its role's queue, ``<WATCHER_TASK_QUEUE>.<role>``. A worker
consumes the queues of the roles it is started with (``watcher-celery worker --role``): a long
audit then waits in the decision engine's line and never in front of a plan's next action.
"""

from __future__ import annotations

DECISION_ENGINE = "decision-engine"
APPLIER = "applier"
HOUSEKEEPING = "housekeeping"
ROLES = (DECISION_ENGINE, APPLIER, HOUSEKEEPING)
ALL = "all"

TASK_ROLES = {
    "watcher.decision_engine.run_audit": DECISION_ENGINE,
    "watcher.decision_engine.build_data_model": DECISION_ENGINE,
    "watcher.decision_engine.strategy_state": DECISION_ENGINE,
    "watcher.applier.launch_action_plan": APPLIER,
    "watcher.applier.execute_action": APPLIER,
    "watcher.applier.on_action_error": APPLIER,
    "watcher.applier.advance_plan": APPLIER,
    "watcher.applier.cancel_action_plan": APPLIER,
    "watcher.decision_engine.supersede_expired_plans": HOUSEKEEPING,
    "watcher.decision_engine.schedule_continuous_audits": HOUSEKEEPING,
    "watcher.applier.reclaim_abandoned_plans": HOUSEKEEPING,
    "watcher.applier.prune_events": HOUSEKEEPING,
    "watcher.housekeeping.sweep": HOUSEKEEPING,
}


def queue_name(base: str, role: str) -> str:
    """The queue of ``role`` for the deployment's queue prefix ``base``."""
    return f"{base}.{role}"


def roles_of(choice: str) -> tuple[str, ...]:
    """The roles a ``--role`` value stands for (``all``, one role, or a comma list)."""
    if choice == ALL:
        return ROLES
    chosen = tuple(part.strip() for part in choice.split(",") if part.strip())
    unknown = [part for part in chosen if part not in ROLES]
    if unknown or not chosen:
        raise ValueError(
            f"unknown role {', '.join(unknown) or choice!r}: use {ALL} or one of {', '.join(ROLES)}"
        )
    return chosen


def routes(base: str) -> dict[str, dict[str, str]]:
    """Celery ``task_routes``: each task name to its role's queue."""
    return {task: {"queue": queue_name(base, role)} for task, role in TASK_ROLES.items()}
