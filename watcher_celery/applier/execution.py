"""Running one action: pre_condition → execute → post_condition, with its state changes.

A failure is recorded in ``status_message`` and raised as :class:`ActionFailed`, so the Celery
task fails and its ``link_error`` callback (:mod:`watcher_celery.applier.failure`) reverts and
marks the action FAILED. An action runs only under the task id it was claimed with, only once
its parents are finished, and only if the plan's rule (ALWAYS/ANY) lets it; anything else is a
stale or early delivery and does nothing.

An action found ONGOING was started by a worker that may have died: if its execution record's
lease is stale this worker takes it over and calls ``resume()`` (the action checks its record or
the cloud) instead of sending the command again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update

from watcher_celery.applier import record, watchdog
from watcher_celery.applier.cancel import cancel_pending_action, finish_aborted, mark_cancelling
from watcher_celery.applier.changes import move_action
from watcher_celery.applier.rules import SKIPPED_BY_RULE, child_may_run, rule_for
from watcher_celery.db import Action, ActionPlan, Strategy, session_scope
from watcher_celery.errors import ActionFailed, ActionSkipped, CloudError, IllegalTransition
from watcher_celery.event_payloads import action_payload, select_payload
from watcher_celery.plugins.registry import get_registry
from watcher_celery.states import (
    CANCELLED_PLAN_STATES,
    RUNNING_ACTION_STATES,
    TERMINAL_ACTION_STATES,
    ActionPlanState,
    ActionState,
)

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """Where an execution left the action, and whether its plan is being cancelled."""

    state: str
    plan_uuid: str | None = None
    cancelling: bool = False


def record_message(action_uuid: str, message: str) -> None:
    """Write a status message without changing state (the errback decides the state)."""
    with session_scope() as session:
        session.execute(
            update(Action).where(Action.uuid == action_uuid).values(status_message=message)
        )


def load_action(action_uuid: str) -> Action | None:
    with session_scope() as session:
        return session.query(Action).filter(Action.uuid == action_uuid).one_or_none()


def instantiate(action, cloud=None):
    """The action type's instance for an Action (or a row with its type and parameters)."""
    definition = get_registry().action(action.action_type)
    return definition.factory(action.input_parameters, cloud)


def _fail(action_uuid: str, phase: str, reason: object) -> ActionFailed:
    message = f"Action failed in {phase}: {reason}"
    record_message(action_uuid, message)
    return ActionFailed(message, phase=phase)


def _load_for_run(session, action_uuid: str):
    """The action's payload plus what deciding its fate needs — its claim, its plan's state and
    strategy — in one narrow SELECT (the ORM row would join five tables more)."""
    return session.execute(
        select_payload(Action, action_uuid)
        .add_columns(
            Action.task_id,
            ActionPlan.state.label("plan_state"),
            Strategy.name.label("strategy_name"),
        )
        .join(Strategy, ActionPlan.strategy_id == Strategy.id)
    ).one_or_none()


def _gate(session, row) -> str | None:
    """Decide a PENDING action's fate before it runs; None means "run it"."""
    if row.plan_state in CANCELLED_PLAN_STATES:
        cancel_pending_action(session, row.uuid)
        return ActionState.CANCELLED
    if row.plan_state != ActionPlanState.ONGOING:
        return row.state
    parent_states = (
        list(session.scalars(select(Action.state).where(Action.uuid.in_(row.parents))))
        if row.parents
        else []
    )
    if any(state not in TERMINAL_ACTION_STATES for state in parent_states):
        return row.state  # early delivery: the parent's chain will bring it again
    if not child_may_run(rule_for(row.strategy_name), parent_states):
        move_action(
            session,
            row.uuid,
            ActionState.SKIPPED,
            current=action_payload(row),
            status_message=SKIPPED_BY_RULE,
        )
        return ActionState.SKIPPED
    return None


def _finish(action_uuid: str, instance, run: watchdog.Running, result, current=None) -> str:
    """After execute()/resume(): aborted, failed, or post_condition then SUCCEEDED.

    ``current``: the action's payload as the move to ONGOING wrote it, if this worker made
    that move; SUCCEEDED is then written without reading the action again, unless the action
    changed meanwhile (its plan is being cancelled: the watchdog made it CANCELLING).
    """
    if run.was_aborted():
        return finish_aborted(action_uuid, run.abort_result, run.abort_error)
    if result is False:
        with session_scope() as session:
            record.finished(session, action_uuid, "failed")
        raise _fail(action_uuid, "execute", "the command reported failure")
    try:
        instance.post_condition()
    except Exception as exc:
        with session_scope() as session:
            record.finished(session, action_uuid, "succeeded")
        raise _fail(action_uuid, "post_condition", exc) from exc
    with session_scope() as session:
        record.finished(session, action_uuid, "succeeded")
        if current is not None:
            try:
                move_action(
                    session, action_uuid, ActionState.SUCCEEDED, events=_success_events,
                    current=current,
                )  # fmt: skip
                return ActionState.SUCCEEDED
            except IllegalTransition:
                pass  # it changed meanwhile (a cancel made it CANCELLING): read it again
        move_action(session, action_uuid, ActionState.SUCCEEDED, events=_success_events)
    return ActionState.SUCCEEDED


def _success_events(old_state: str) -> list[str]:
    """Cancelled just as it completed: it completed, and that ends its cancel."""
    if old_state == ActionState.CANCELLING:
        return ["action.cancel.end"]
    return ["action.execution.end"]


def _execute(action_uuid: str, plan_uuid: str, instance, step, current=None) -> Outcome:
    run = watchdog.watch(action_uuid, plan_uuid, instance)
    try:
        try:
            result = step()
        except Exception as exc:
            if run.was_aborted():
                result = None
            else:
                if not isinstance(exc, CloudError):  # a defect, not the cloud saying no
                    LOG.exception("action %s raised", action_uuid)
                raise _fail(action_uuid, "execute", exc) from exc
        state = _finish(action_uuid, instance, run, result, current)
        return Outcome(state, plan_uuid, run.was_aborted())
    finally:
        watchdog.unwatch(action_uuid)


def _resume(row, cloud) -> Outcome:
    """Take over an action a dead worker left ONGOING or CANCELLING, if its lease is stale."""
    plan_uuid = row.action_plan_uuid
    with session_scope() as session:
        rec = record.get(session, row.uuid)
        if rec is not None and not record.is_stale(rec):
            return Outcome(row.state, plan_uuid)  # its worker is alive
        if rec is not None and not record.take_over(session, rec):
            return Outcome(row.state, plan_uuid)  # another worker took it over first
        finished_outcome = rec.outcome if rec is not None else None
        started_at = rec.started_at if rec is not None else None
        before = dict(rec.before or {}) if rec is not None else {}
    instance = instantiate(row, cloud)
    instance.before = before
    if row.state == ActionState.CANCELLING or row.plan_state in CANCELLED_PLAN_STATES:
        mark_cancelling(row.uuid)
        run = watchdog.Running(row.uuid, plan_uuid, instance)
        run.abort()
        return Outcome(finish_aborted(row.uuid, run.abort_result, run.abort_error), plan_uuid, True)
    LOG.info("resuming action %s left ONGOING by a dead worker", row.uuid)
    if finished_outcome is not None:
        run = watchdog.Running(row.uuid, plan_uuid, instance)
        return Outcome(_finish(row.uuid, instance, run, finished_outcome == "succeeded"), plan_uuid)
    if started_at is None:  # ONGOING without a record: nothing was sent yet
        with session_scope() as session:
            record.command_sent(session, row.uuid)
        return _execute(row.uuid, plan_uuid, instance, instance.execute)
    return _execute(row.uuid, plan_uuid, instance, lambda: instance.resume(started_at))


def _start(session, row, cloud):
    """Gate, pre_condition and the move to ONGOING, in the transaction that read the action.

    Returns the action instance to execute with the payload the move wrote, or the Outcome
    when it is not to run.
    """
    gate = _gate(session, row)
    if gate is not None:
        return Outcome(gate, row.action_plan_uuid, row.plan_state in CANCELLED_PLAN_STATES)
    try:
        instance = instantiate(row, cloud)
        instance.validate_parameters()
        instance.pre_condition()
        instance.before = instance.snapshot()
    except ActionSkipped as exc:
        move_action(
            session,
            row.uuid,
            ActionState.SKIPPED,
            current=action_payload(row),
            status_message=f"Action was skipped automatically: {exc}",
        )
        return Outcome(ActionState.SKIPPED, row.action_plan_uuid)
    except Exception as exc:  # any pre_condition error fails the action
        raise _fail(row.uuid, "pre_condition", exc) from exc
    written = move_action(
        session,
        row.uuid,
        ActionState.ONGOING,
        current=action_payload(row),
        events=["action.execution.start"],
    )
    record.first_command(session, row.uuid, instance.before)
    return instance, written


def run_action(action_uuid: str, task_id: str | None = None, cloud=None) -> Outcome:
    """Run the action if this delivery owns it; return where it ended."""
    with session_scope() as session:
        row = _load_for_run(session, action_uuid)
        if row is None:
            return Outcome(ActionState.DELETED)
        plan_uuid = row.action_plan_uuid
        if task_id is not None and row.task_id != task_id:
            return Outcome(row.state, plan_uuid)  # a stale copy: another dispatch owns it
        if row.state in RUNNING_ACTION_STATES:
            started = None
        elif row.state != ActionState.PENDING:
            return Outcome(row.state, plan_uuid)
        else:
            try:
                started = _start(session, row, cloud)
            except IllegalTransition:  # cancelled (or taken) between the gate and now
                session.rollback()
                return Outcome(ActionState.CANCELLED, plan_uuid, True)
    if started is None:
        return _resume(row, cloud)
    if isinstance(started, Outcome):
        return started
    instance, written = started
    return _execute(action_uuid, plan_uuid, instance, instance.execute, written)
