"""Launching a plan: PENDING → ONGOING (or wind it down if it was cancelled meanwhile).

Only a PENDING plan is launched: the API (or the decision engine for an ``auto_trigger`` audit)
moves a plan there. A ``launch_action_plan`` task for a RECOMMENDED plan — sent through Flower
or straight onto the broker — changes nothing.
"""

from __future__ import annotations

import logging

from watcher_celery.applier.cancel import cancel_pending_actions
from watcher_celery.applier.changes import move_plan
from watcher_celery.applier.progress import load_plan
from watcher_celery.config import get_settings
from watcher_celery.db import session_scope
from watcher_celery.errors import IllegalTransition
from watcher_celery.states import RUNNING_PLAN_STATES, ActionPlanState

LOG = logging.getLogger(__name__)


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
                expected=ActionPlanState.PENDING,
                events=["action_plan.execution.start"],
                hostname=get_settings().host,
            )
        except IllegalTransition:
            # Already ONGOING: a re-delivered launch just advances. A RECOMMENDED plan was not
            # started through the API (a task sent from Flower or the broker): refused.
            if plan.state == ActionPlanState.RECOMMENDED:
                LOG.warning(
                    "refusing to launch action plan %s: it is RECOMMENDED; only a plan started "
                    "through the API (PENDING) is launched",
                    plan_uuid,
                )
            return plan.state in RUNNING_PLAN_STATES
        return True
