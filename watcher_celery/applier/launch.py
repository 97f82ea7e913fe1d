"""Launching a plan: move it to ONGOING (or wind it down if it was cancelled meanwhile)."""

from __future__ import annotations

from watcher_celery.applier.cancel import cancel_pending_actions
from watcher_celery.applier.changes import move_plan
from watcher_celery.applier.progress import load_plan
from watcher_celery.config import get_settings
from watcher_celery.db import session_scope
from watcher_celery.errors import IllegalTransition
from watcher_celery.states import ActionPlanState


def launch(plan_uuid: str) -> bool:
    """Return True when the plan is ONGOING and should be advanced."""
    with session_scope() as session:
        plan = load_plan(session, plan_uuid)
        if plan.state == ActionPlanState.CANCELLED:
            cancel_pending_actions(session, plan)
            return False
        try:
            move_plan(
                session,
                plan_uuid,
                ActionPlanState.ONGOING,
                expected={ActionPlanState.PENDING, ActionPlanState.RECOMMENDED},
                events=["action_plan.execution.start"],
                hostname=get_settings().host,
            )
        except IllegalTransition:
            # Already ONGOING: a re-delivered launch just advances; anything else is final.
            return plan.state in (ActionPlanState.ONGOING, ActionPlanState.CANCELLING)
        return True
