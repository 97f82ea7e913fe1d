"""Operator changes to an action plan: PATCH of its state, ``/start`` and DELETE.

PATCH can launch (RECOMMENDED → PENDING), cancel a plan that has not started (RECOMMENDED or
PENDING → CANCELLED, its actions CANCELLED in the same transaction) or ask a running plan to
stop (ONGOING → CANCELLING: the applier is asked at once to revoke queued actions and abort
running ones; each action also checks the plan before it runs).

The applier is asked through the outbox, in the transaction of the state change: the answer
never waits for the broker, and a launch or cancel the API accepted is never lost.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from watcher_celery import dispatch
from watcher_celery.api.patch import apply, expect_types
from watcher_celery.api.transitions import move_or_400
from watcher_celery.db import Action, ActionPlan, EfficacyIndicator
from watcher_celery.db.models import utcnow
from watcher_celery.errors import IllegalTransition, Invalid
from watcher_celery.states import (
    PATCHABLE_PLAN_STATES,
    ActionPlanState,
    ActionState,
    Actor,
    transition,
    transition_where,
)

REFUSED = ("status_message", "audit_uuid", "strategy_uuid", "hostname", "global_efficacy")


def patch(session: Session, plan: ActionPlan, operations: list[dict[str, Any]]) -> None:
    """Apply a JSON-patch of ``/state``; a launch or a cancel of a running plan is queued for
    the applier in the same transaction."""
    changes = apply({"state": plan.state}, operations, refused=REFUSED)
    expect_types(changes, {"state": str})
    if "state" not in changes:
        return
    state = changes["state"]
    if state not in set(ActionPlanState):
        raise Invalid(f"Invalid state '{state}'")
    if state not in PATCHABLE_PLAN_STATES:
        raise IllegalTransition("ActionPlan", plan.uuid, plan.state, str(state))
    transition(session, ActionPlan, plan.uuid, state, Actor.OPERATOR, expected=plan.state)
    if state == ActionPlanState.CANCELLED:
        transition_where(
            session,
            Action,
            ActionState.CANCELLED,
            Actor.OPERATOR,
            Action.action_plan_id == plan.id,
            expected=ActionState.PENDING,
        )
    elif state == ActionPlanState.PENDING:
        dispatch.launch_action_plan(session, plan.uuid)
    elif state == ActionPlanState.CANCELLING:
        dispatch.cancel_action_plan(session, plan.uuid)


def start(session: Session, plan: ActionPlan) -> None:
    """``POST /start``: RECOMMENDED → PENDING (else 400 naming the current state), the launch
    queued for the applier in the same transaction."""
    move_or_400(session, plan, ActionPlanState.PENDING, "start", ActionPlanState.RECOMMENDED)
    dispatch.launch_action_plan(session, plan.uuid)


def delete(session: Session, plan: ActionPlan) -> None:
    """Soft delete the plan with its actions and efficacy indicators."""
    move_or_400(session, plan, ActionPlanState.DELETED, "delete")
    plan.soft_delete()
    now = utcnow()
    transition_where(
        session,
        Action,
        ActionState.DELETED,
        Actor.OPERATOR,
        Action.action_plan_id == plan.id,
        Action.deleted == 0,
        deleted_at=now,
        deleted=Action.id,
    )
    session.execute(
        update(EfficacyIndicator)
        .where(EfficacyIndicator.action_plan_id == plan.id, EfficacyIndicator.deleted == 0)
        .values(deleted_at=now, deleted=EfficacyIndicator.id)
        .execution_options(synchronize_session=False)
    )
