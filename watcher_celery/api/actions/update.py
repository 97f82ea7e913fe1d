"""Skipping an action before its plan runs (PATCH, API microversion 1.5 or later)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher_celery.api import microversion
from watcher_celery.api.patch import apply, expect_types
from watcher_celery.db import Action, ActionPlan
from watcher_celery.errors import Conflict, Invalid
from watcher_celery.states import UNSTARTED_PLAN_STATES, ActionState, Actor, transition_where

REFUSED = ("action_plan_uuid", "action_type", "input_parameters", "parents", "description")
SKIPPED_BY_USER = "Action skipped by user."


def _message(reason: Any) -> str:
    return f"{SKIPPED_BY_USER} Reason: {reason}" if reason else SKIPPED_BY_USER


def patch(session: Session, action: Action, operations: list[dict[str, Any]]) -> None:
    """PENDING → SKIPPED while the plan is RECOMMENDED or PENDING, else 409."""
    if not microversion.at_least(5):
        raise Invalid("API microversion 1.5 or higher is required.")
    document = {"state": action.state, "status_message": action.status_message}
    changes = apply(document, operations, refused=REFUSED)
    expect_types(changes, {"state": str, "status_message": (str, type(None))})
    if "state" in changes:
        if changes["state"] != ActionState.SKIPPED:
            raise Conflict(f"Action state can only be changed to SKIPPED, not {changes['state']}")
        open_plans = select(ActionPlan.id).where(ActionPlan.state.in_(UNSTARTED_PLAN_STATES))
        moved = transition_where(
            session,
            Action,
            ActionState.SKIPPED,
            Actor.OPERATOR,
            Action.id == action.id,
            Action.action_plan_id.in_(open_plans),
            expected=ActionState.PENDING,
            status_message=_message(changes.get("status_message")),
        )
        if not moved:
            raise Conflict(
                f"Action {action.uuid} can be skipped only while it is PENDING and its plan "
                f"is RECOMMENDED or PENDING (action {action.state}, plan "
                f"{action.action_plan.state})"
            )
    elif "status_message" in changes:
        if action.state != ActionState.SKIPPED:
            raise Conflict("status_message can be changed only on a SKIPPED action")
        action.status_message = _message(changes["status_message"])
