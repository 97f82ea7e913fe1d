"""Plan-level rollback: when a plan fails, optionally revert the actions that succeeded.

Off by default, as upstream (``WATCHER_ROLLBACK_WHEN_PLAN_FAILED=true`` turns it on). The failed
action itself is always reverted by its ``link_error`` callback; this goes further and undoes
the succeeded ones, newest first (the reverse of the order they completed in), so the cloud
returns to where it was before the plan. Runs once: only the advance that moved the plan to
FAILED calls it. A revert that fails is noted on the action and the others still run.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from watcher_celery.applier.actions.base import REVERTED as DONE
from watcher_celery.applier.changes import emit_action
from watcher_celery.applier.record import before_of
from watcher_celery.db import Action, ActionExecution, ActionPlan, session_scope
from watcher_celery.errors import CloudError
from watcher_celery.plugins.registry import get_registry
from watcher_celery.states import ActionState

LOG = logging.getLogger(__name__)
REVERTED = "Action was reverted after its action plan failed."
NOTHING = "Action had nothing to revert after its action plan failed: {}."


def revert_order(plan_uuid: str) -> list[Action]:
    """The plan's SUCCEEDED actions, the last to complete first."""
    with session_scope() as session:
        return list(
            session.scalars(
                select(Action)
                .join(ActionPlan, Action.action_plan_id == ActionPlan.id)
                .outerjoin(ActionExecution, ActionExecution.action_uuid == Action.uuid)
                .where(ActionPlan.uuid == plan_uuid, Action.state == ActionState.SUCCEEDED)
                .order_by(ActionExecution.finished_at.desc(), Action.id.desc())
            )
        )


def revert_succeeded(plan_uuid: str, cloud=None) -> int:
    """Revert every succeeded action of a failed plan; returns how many were reverted."""
    reverted = untouched = 0
    for action in revert_order(plan_uuid):
        definition = get_registry().action(action.action_type)
        try:
            instance = definition.factory(action.input_parameters, cloud)
            instance.before = before_of(action.uuid)
            outcome = instance.revert() or DONE
            if outcome == DONE:
                message, reverted = REVERTED, reverted + 1
            else:
                message, untouched = NOTHING.format(outcome), untouched + 1
            LOG.warning("rollback of action %s (%s): %s", action.uuid, action.action_type, outcome)
        except Exception as exc:
            if isinstance(exc, CloudError):
                LOG.warning("rollback of action %s failed: %s", action.uuid, exc)
            else:
                LOG.exception("rollback of action %s failed", action.uuid)
            message = f"Revert after the action plan failed did not work: {exc}"
        with session_scope() as session:
            session.execute(
                update(Action).where(Action.uuid == action.uuid).values(status_message=message)
            )
            emit_action(session, action.uuid, ["action.update"])
    with session_scope() as session:
        session.execute(
            update(ActionPlan)
            .where(ActionPlan.uuid == plan_uuid)
            .values(
                status_message=f"One or more actions failed; {reverted} succeeded action(s) "
                "were reverted" + (f", {untouched} had nothing to revert." if untouched else ".")
            )
        )
    return reverted
