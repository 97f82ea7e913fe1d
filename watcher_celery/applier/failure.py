"""What happens after an action fails: revert its resource, mark it FAILED, free its run.

Called from the ``on_action_error`` task, which Celery queues through the action task's
``link_error``. The failed action's ``revert()`` looks at the cloud and puts its resource back
as it was before the command (an interrupted migration is aborted or moved back); a failure
before the command was sent (pre_condition) has nothing to revert. The status message ends
"(reverted)" only when a revert happened and was verified; otherwise it says what the action
found ("(nothing to revert: server ACTIVE on compute-1)") or why the revert failed. An action
failing is an expected event: it is logged as one WARNING line, without a traceback. The
actions that were to follow it in the same Celery chain never ran: their claims are released
so the next advance applies the plan's rule (ALWAYS: they run; ANY: they run because their
parent failed).
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from watcher_celery.applier import dag, record
from watcher_celery.applier.actions.base import REVERTED
from watcher_celery.applier.changes import move_action
from watcher_celery.applier.execution import instantiate
from watcher_celery.db import Action, session_scope
from watcher_celery.errors import CloudError, IllegalTransition
from watcher_celery.states import FAILABLE_ACTION_STATES, ActionState

LOG = logging.getLogger(__name__)


def release_claims(action_uuids: list[str]) -> int:
    """Un-claim actions of a broken chain that never started, so they can be dispatched again."""
    if not action_uuids:
        return 0
    with session_scope() as session:
        return session.execute(
            update(Action)
            .where(Action.uuid.in_(action_uuids), Action.state == ActionState.PENDING)
            .values(task_id=None)
            .execution_options(synchronize_session=False)
        ).rowcount


def claimed_after(action: Action) -> list[str]:
    """The claimed, unstarted actions that follow ``action`` in its linear run."""
    with session_scope() as session:
        rows = session.execute(
            select(Action.uuid, Action.state, Action.task_id, Action.parents).where(
                Action.action_plan_id == action.action_plan_id, Action.deleted == 0
            )
        ).all()
    return dag.claimed_after(action.uuid, dag.children(rows))


def handle_failure(action: Action, cloud=None) -> None:
    """Revert an action that failed after its command was sent, then mark it FAILED."""
    if action.state not in FAILABLE_ACTION_STATES:
        return
    action_uuid = action.uuid
    message = action.status_message or "Action failed"
    if action.state == ActionState.ONGOING:
        message = f"{message} ({revert(action, cloud)})"
    LOG.warning("action %s (%s) %s", action_uuid, action.action_type, message)
    try:
        with session_scope() as session:
            move_action(
                session,
                action_uuid,
                ActionState.FAILED,
                expected=action.state,
                events=["action.execution.error"],
                fault=action.status_message,
                status_message=message,
            )
            record.finished(session, action_uuid, "failed")
    except IllegalTransition:
        LOG.info("action %s changed state meanwhile; leaving it", action_uuid)


def revert(action, cloud=None) -> str:
    """Revert a failed action; what to add to its message: "reverted" (done and verified),
    what it found instead, or "revert failed: …"."""
    try:
        instance = instantiate(action, cloud)
        instance.before = record.before_of(action.uuid)
        outcome = instance.revert() or REVERTED
    except CloudError as exc:  # the cloud refused or the revert did not take: expected
        return f"revert failed: {exc}"
    except Exception as exc:  # a defect: keep its traceback
        LOG.exception("revert of action %s failed", action.uuid)
        return f"revert failed: {exc}"
    return outcome
