"""Launching a plan: move it to ONGOING (or wind it down if it was cancelled meanwhile)."""

from __future__ import annotations

from watcher_celery.applier.progress import cancel_undispatched_actions, load_plan
from watcher_celery.config import get_settings
from watcher_celery.db import ActionPlan, session_scope
from watcher_celery.errors import IllegalTransition
from watcher_celery.states import ActionPlanState, Actor, transition


def launch(plan_uuid: str) -> bool:
    """Return True when the plan is ONGOING and should be advanced."""
    with session_scope() as session:
        plan = load_plan(session, plan_uuid)
        if plan.state == ActionPlanState.CANCELLED:
            cancel_undispatched_actions(session, plan)
            return False
        try:
            transition(
                session,
                ActionPlan,
                plan_uuid,
                ActionPlanState.ONGOING,
                Actor.SERVICE,
                expected={ActionPlanState.PENDING, ActionPlanState.RECOMMENDED},
                hostname=get_settings().host,
            )
        except IllegalTransition:
            # Already ONGOING: a re-delivered launch just advances; anything else is final.
            return plan.state in (ActionPlanState.ONGOING, ActionPlanState.CANCELLING)
        return True
