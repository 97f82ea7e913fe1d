"""Cancelling a running plan: stop dispatch, revoke queued tasks, abort running actions.

The API only moves the plan to CANCELLING (``states.py``); the applier reacts in three places:

* every ``execute_action`` checks the plan first and cancels its action instead of running it;
* :func:`wind_down` (task ``cancel_action_plan``, sent by the API after its PATCH and by periodic
  recovery) cancels every PENDING action, revokes their queued task ids and finishes the plan
  once nothing is running;
* the worker's watchdog (``applier/watchdog.py``) aborts actions running in its process.

Action outcomes follow upstream: PENDING → CANCELLED; ONGOING → CANCELLING, then abort() True →
CANCELLED, False → SUCCEEDED (the command completed anyway), error → FAILED.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from watcher_celery.applier.changes import emit_plan, move_action
from watcher_celery.celery_app import app
from watcher_celery.db import Action, ActionPlan, Event, session_scope
from watcher_celery.errors import IllegalTransition
from watcher_celery.states import CANCELLED_PLAN_STATES, ActionPlanState, ActionState

LOG = logging.getLogger(__name__)
CANCELLED_BY_PLAN = "Action was cancelled with its action plan."


def cancelled_plans(session, plan_uuids: set[str]) -> set[str]:
    """Which of these plans are being (or have been) cancelled."""
    return set(
        session.scalars(
            select(ActionPlan.uuid).where(
                ActionPlan.uuid.in_(plan_uuids), ActionPlan.state.in_(CANCELLED_PLAN_STATES)
            )
        )
    )


def mark_cancelling(action_uuid: str) -> None:
    """A running action whose plan is cancelled: ONGOING → CANCELLING, ``action.cancel.start``."""
    try:
        with session_scope() as session:
            move_action(
                session,
                action_uuid,
                ActionState.CANCELLING,
                expected=ActionState.ONGOING,
                events=["action.cancel.start"],
            )
    except IllegalTransition:
        pass  # finished meanwhile, or already CANCELLING


def finish_aborted(action_uuid: str, result: bool | None, error: Exception | None) -> str:
    """Record the outcome of ``abort()`` on a CANCELLING action; returns the final state."""
    if error is not None:
        target, event = ActionState.FAILED, "action.cancel.error"
        message = f"Action failed while being cancelled: {error}"
    elif result is False:
        target, event = ActionState.SUCCEEDED, "action.cancel.end"
        message = "The action completed before it could be aborted."
    else:
        target, event = ActionState.CANCELLED, "action.cancel.end"
        message = "Action was aborted with its action plan."
    try:
        with session_scope() as session:
            move_action(
                session,
                action_uuid,
                target,
                expected=ActionState.CANCELLING,
                events=[event],
                status_message=message,
            )
    except IllegalTransition:
        pass
    return target


def cancel_pending_action(session, action_uuid: str) -> bool:
    try:
        move_action(
            session,
            action_uuid,
            ActionState.CANCELLED,
            expected=ActionState.PENDING,
            events=["action.cancel.start", "action.cancel.end"],
            status_message=CANCELLED_BY_PLAN,
        )
    except IllegalTransition:
        return False
    return True


def cancel_pending_actions(session, plan: ActionPlan) -> list[str]:
    """Cancel every PENDING action of the plan; returns the task ids they were queued under."""
    pending = session.execute(
        select(Action.uuid, Action.task_id).where(
            Action.action_plan_id == plan.id,
            Action.state == ActionState.PENDING,
            Action.deleted == 0,
        )
    ).all()
    return [
        task_id for uuid, task_id in pending if cancel_pending_action(session, uuid) and task_id
    ]


def announce(session, plan: ActionPlan) -> None:
    """``action_plan.cancel.start``, once per plan."""
    seen = session.scalars(
        select(Event.payload).where(Event.event_type == "action_plan.cancel.start")
    )
    if any(p["payload"]["watcher_object.data"]["uuid"] == plan.uuid for p in seen):
        return
    emit_plan(session, plan.uuid, ["action_plan.cancel.start"])


def wind_down(plan_uuid: str) -> list[str]:
    """Cancel what has not started and revoke it; returns the revoked task ids."""
    with session_scope() as session:
        plan = session.scalars(select(ActionPlan).where(ActionPlan.uuid == plan_uuid)).one()
        if plan.state != ActionPlanState.CANCELLING:
            return []
        announce(session, plan)
        task_ids = cancel_pending_actions(session, plan)
    if task_ids:
        app.control.revoke(task_ids)
    return task_ids
