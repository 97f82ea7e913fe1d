"""State changes of the applier, each with the events it owes operators.

Every action or plan change the applier makes goes through :func:`move_action` or
:func:`move_plan`: the transition itself (``states.transition``, a conditional UPDATE), then
``action.update`` / ``action_plan.update`` with ``state_update`` and the named events of that
step (``action.execution.end`` ...), all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, defaultload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from watcher_celery.db import Action, ActionPlan
from watcher_celery.events import ERROR, INFO, emit
from watcher_celery.states import Actor, transition

# The applier never reads these: loaded only if touched, not a query per row it reads.
LEAN = {
    Action: (
        lazyload(Action.description_row),
        defaultload(Action.action_plan).lazyload(ActionPlan.efficacy_indicators),
    ),
    ActionPlan: (lazyload(ActionPlan.efficacy_indicators),),
}


def action_data(action: Action) -> dict:
    return {
        "uuid": action.uuid,
        "action_type": action.action_type,
        "input_parameters": action.input_parameters,
        "state": action.state,
        "parents": action.parents,
        "action_plan_uuid": action.action_plan.uuid,
        "status_message": action.status_message,
    }


def plan_data(plan: ActionPlan) -> dict:
    return {
        "uuid": plan.uuid,
        "state": plan.state,
        "audit_uuid": plan.audit.uuid,
        "strategy_uuid": plan.strategy.uuid,
        "strategy_name": plan.strategy.name,
        "status_message": plan.status_message,
    }


def _priority(event_type: str) -> str:
    return ERROR if event_type.endswith(".error") else INFO


def emit_action(session: Session, action: Action, events: Iterable[str], **extra) -> None:
    data = {**action_data(action), **extra}
    for event_type in events:
        emit(session, event_type, "ActionPayload", data, _priority(event_type))


def emit_plan(session: Session, plan: ActionPlan, events: Iterable[str], **extra) -> None:
    data = {**plan_data(plan), **extra}
    for event_type in events:
        emit(session, event_type, "ActionPlanPayload", data, _priority(event_type))


def _move(session: Session, model: type, uuid: str, to_state: str, expected, values):
    """Transition one row; returns it as written and its ``state_update``.

    The row is read before the conditional UPDATE (which still decides: a concurrent change
    raises IllegalTransition) and patched in memory after it, saving a query per change.
    """
    row = session.scalars(
        select(model)
        .where(model.uuid == uuid)
        .options(*LEAN[model])
        .execution_options(populate_existing=True)
    ).one_or_none()
    old = row.state if row is not None else None
    transition(session, model, uuid, to_state, Actor.SERVICE, expected=expected, **values)
    for key, value in {"state": str(to_state), **values}.items():
        set_committed_value(row, key, value)
    return row, {"old_state": old, "state": row.state, "status_message": row.status_message}


def move_action(
    session: Session,
    uuid: str,
    to_state: str,
    *,
    expected: str | set[str] | frozenset[str] | None = None,
    events: Iterable[str] | Callable[[str], Iterable[str]] = (),
    fault: str | None = None,
    **values,
) -> Action:
    """Transition one action and emit ``action.update`` plus ``events`` (or ``events(old
    state)``); returns the row."""
    action, update = _move(session, Action, uuid, to_state, expected, values)
    emit_action(session, action, ["action.update"], state_update=update)
    if callable(events):
        events = events(update["old_state"])
    emit_action(session, action, events, **({"fault": fault} if fault else {}))
    return action


def move_plan(
    session: Session,
    uuid: str,
    to_state: str,
    *,
    expected: str | set[str] | frozenset[str] | None = None,
    events: Iterable[str] = (),
    **values,
) -> ActionPlan:
    """Transition one plan and emit ``action_plan.update`` plus ``events``; returns the row."""
    plan, update = _move(session, ActionPlan, uuid, to_state, expected, values)
    emit_plan(session, plan, ["action_plan.update"], state_update=update)
    emit_plan(session, plan, events)
    return plan
