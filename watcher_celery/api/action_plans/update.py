"""Operator changes to an action plan: PATCH of its state, ``/start`` and DELETE.

PATCH can launch (RECOMMENDED → PENDING), cancel a plan that has not started (RECOMMENDED or
PENDING → CANCELLED, its actions CANCELLED in the same transaction) or ask a running plan to
stop (ONGOING → CANCELLING: the applier is asked at once to revoke queued actions and abort
running ones; each action also checks the plan before it runs).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from watcher_celery import dispatch
from watcher_celery.api.patch import apply, expect_types
from watcher_celery.api.transitions import move_or_400
from watcher_celery.db import Action, ActionPlan, EfficacyIndicator, session_scope
from watcher_celery.db.models import utcnow
from watcher_celery.errors import IllegalTransition, Invalid, ServiceUnavailable
from watcher_celery.states import ActionPlanState, ActionState, Actor, transition, transition_where

LOG = logging.getLogger(__name__)
PATCH_TARGETS = frozenset(
    {ActionPlanState.PENDING, ActionPlanState.CANCELLED, ActionPlanState.CANCELLING}
)
REFUSED = ("status_message", "audit_uuid", "strategy_uuid", "hostname", "global_efficacy")


def patch(session: Session, plan: ActionPlan, operations: list[dict[str, Any]]) -> str | None:
    """Apply a JSON-patch of ``/state``; return the state reached when the applier must be
    told after commit (PENDING: launch it; CANCELLING: wind it down), else None."""
    changes = apply({"state": plan.state}, operations, refused=REFUSED)
    expect_types(changes, {"state": str})
    if "state" not in changes:
        return None
    state = changes["state"]
    if state not in set(ActionPlanState):
        raise Invalid(f"Invalid state '{state}'")
    if state not in PATCH_TARGETS:
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
    return state if state in (ActionPlanState.PENDING, ActionPlanState.CANCELLING) else None


def start(session: Session, plan: ActionPlan) -> None:
    """``POST /start``: RECOMMENDED → PENDING, else 400 naming the current state."""
    move_or_400(session, plan, ActionPlanState.PENDING, "start", ActionPlanState.RECOMMENDED)


def launch(plan_uuid: str) -> None:
    """After commit: hand a PENDING plan to the applier, or cancel it if that is impossible."""
    try:
        dispatch.launch_action_plan(plan_uuid)
    except Exception as exc:
        LOG.exception("could not dispatch action plan %s", plan_uuid)
        with session_scope() as session:
            transition(
                session,
                ActionPlan,
                plan_uuid,
                ActionPlanState.CANCELLED,
                Actor.SERVICE,
                expected=ActionPlanState.PENDING,
                status_message=f"The applier could not be reached: {exc}",
            )
        raise ServiceUnavailable(f"The applier could not be reached: {exc}") from exc


def wind_down(plan_uuid: str) -> None:
    """After commit: ask the applier to revoke and abort now. Best effort — if the broker is
    unreachable, each action checks the plan before running and periodic recovery finishes it."""
    try:
        dispatch.cancel_action_plan(plan_uuid)
    except Exception:
        LOG.warning("could not ask the applier to cancel %s now", plan_uuid, exc_info=True)


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
