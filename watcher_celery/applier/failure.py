"""What happens after an action fails: revert its resource, mark it FAILED.

Called from the ``on_action_error`` task, which Celery queues through the action task's
``link_error``; the continuation rule (ALWAYS/ANY) is then applied by the next advance.
"""

from __future__ import annotations

import logging

from watcher_celery.applier.execution import instantiate, load_action
from watcher_celery.db import session_scope
from watcher_celery.db.models import Action
from watcher_celery.errors import IllegalTransition
from watcher_celery.states import ActionState, Actor, transition

LOG = logging.getLogger(__name__)


def handle_failure(action_uuid: str, cloud=None) -> None:
    """Revert an action that failed after its command was sent, then mark it FAILED."""
    action = load_action(action_uuid)
    if action is None or action.state not in (ActionState.PENDING, ActionState.ONGOING):
        return
    message = action.status_message or "Action failed"
    if action.state == ActionState.ONGOING:
        try:
            instantiate(action, cloud).revert()
        except Exception as exc:  # the failure stands; the revert error is added to it
            LOG.exception("revert of action %s failed", action_uuid)
            message = f"{message} (revert failed: {exc})"
    try:
        with session_scope() as session:
            transition(
                session,
                Action,
                action_uuid,
                ActionState.FAILED,
                Actor.SERVICE,
                status_message=message,
            )
    except IllegalTransition:
        LOG.info("action %s changed state meanwhile; leaving it", action_uuid)
