"""Running one action: pre_condition → execute → post_condition, with its state changes.

A failure is recorded in ``status_message`` and raised as :class:`ActionFailed`, so the Celery
task fails and its ``link_error`` callback (:mod:`watcher_celery.applier.failure`) reverts and
marks the action FAILED. Re-running an action that already finished does nothing.
"""

from __future__ import annotations

import logging

from sqlalchemy import update

from watcher_celery.db import Action, session_scope
from watcher_celery.errors import ActionFailed, ActionSkipped
from watcher_celery.plugins.registry import get_registry
from watcher_celery.states import ActionPlanState, ActionState, Actor, transition

LOG = logging.getLogger(__name__)
CANCELLED_PLAN_STATES = {ActionPlanState.CANCELLING, ActionPlanState.CANCELLED}


def record_message(action_uuid: str, message: str) -> None:
    """Write a status message without changing state (the errback decides the state)."""
    with session_scope() as session:
        session.execute(
            update(Action).where(Action.uuid == action_uuid).values(status_message=message)
        )


def load_action(action_uuid: str) -> Action | None:
    with session_scope() as session:
        return session.query(Action).filter(Action.uuid == action_uuid).one_or_none()


def instantiate(action: Action, cloud=None):
    definition = get_registry().action(action.action_type)
    return definition.factory(action.input_parameters, cloud)


def _fail(action_uuid: str, phase: str, reason: object) -> ActionFailed:
    message = f"Action failed in {phase}: {reason}"
    record_message(action_uuid, message)
    return ActionFailed(message, phase=phase)


def run_action(action_uuid: str, cloud=None) -> str:
    """Run the action if it is still PENDING; return the state it ends in."""
    action = load_action(action_uuid)
    if action is None or action.state != ActionState.PENDING:
        return action.state if action else ActionState.DELETED
    if action.action_plan.state in CANCELLED_PLAN_STATES:
        with session_scope() as session:
            transition(session, Action, action_uuid, ActionState.CANCELLED, Actor.SERVICE)
        return ActionState.CANCELLED

    try:
        instance = instantiate(action, cloud)
        instance.validate_parameters()
        instance.pre_condition()
    except ActionSkipped as exc:
        with session_scope() as session:
            transition(
                session,
                Action,
                action_uuid,
                ActionState.SKIPPED,
                Actor.SERVICE,
                status_message=f"Action was skipped automatically: {exc}",
            )
        return ActionState.SKIPPED
    except Exception as exc:  # any pre_condition error fails the action
        raise _fail(action_uuid, "pre_condition", exc) from exc

    with session_scope() as session:
        transition(session, Action, action_uuid, ActionState.ONGOING, Actor.SERVICE)

    for phase, step in (("execute", instance.execute), ("post_condition", instance.post_condition)):
        try:
            result = step()
        except Exception as exc:
            raise _fail(action_uuid, phase, exc) from exc
        if phase == "execute" and result is False:
            raise _fail(action_uuid, phase, "the command reported failure")

    with session_scope() as session:
        transition(session, Action, action_uuid, ActionState.SUCCEEDED, Actor.SERVICE)
    return ActionState.SUCCEEDED
