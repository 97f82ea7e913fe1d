"""State changes of the applier, each with the events it owes operators.

Every action or plan change the applier makes goes through :func:`move_action` or
:func:`move_plan`: the transition itself (``states.transition``, a conditional UPDATE), then
``action.update`` / ``action_plan.update`` with ``state_update`` and the named events of that
step (``action.execution.end`` ...), all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher_celery.db import Action, ActionPlan, Audit, Strategy
from watcher_celery.errors import IllegalTransition
from watcher_celery.events import emit
from watcher_celery.states import Actor, transition

# What an event says of its object, read with one narrow SELECT: loading the ORM row would
# join plan, audit, strategy and goal (their eager relationships) for seven fields.
ACTION_COLUMNS = (
    Action.uuid,
    Action.action_type,
    Action.input_parameters,
    Action.state,
    Action.parents,
    ActionPlan.uuid.label("action_plan_uuid"),
    Action.status_message,
)
ACTION_KEYS = tuple(column.key for column in ACTION_COLUMNS)
PAYLOADS = {
    Action: lambda uuid: (
        select(*ACTION_COLUMNS)
        .join(ActionPlan, Action.action_plan_id == ActionPlan.id)
        .where(Action.uuid == uuid)
    ),
    ActionPlan: lambda uuid: (
        select(
            ActionPlan.uuid,
            ActionPlan.state,
            Audit.uuid.label("audit_uuid"),
            Strategy.uuid.label("strategy_uuid"),
            Strategy.name.label("strategy_name"),
            ActionPlan.status_message,
        )
        .join(Audit, ActionPlan.audit_id == Audit.id)
        .join(Strategy, ActionPlan.strategy_id == Strategy.id)
        .where(ActionPlan.uuid == uuid)
    ),
}
OBJECT_NAMES = {Action: "ActionPayload", ActionPlan: "ActionPlanPayload"}


def payload(session: Session, model: type, uuid: str) -> dict | None:
    """The event payload of one action or plan as the database has it now."""
    row = session.execute(PAYLOADS[model](uuid)).one_or_none()
    return dict(row._mapping) if row is not None else None


def action_payload(row) -> dict:
    """The action payload part of a row read with :data:`ACTION_COLUMNS` (and more)."""
    mapping = row._mapping
    return {key: mapping[key] for key in ACTION_KEYS}


def _emit(session: Session, model: type, data: dict, events: Iterable[str], **extra) -> None:
    emit(session, OBJECT_NAMES[model], [(t, {**data, **extra}) for t in events])


def emit_action(session: Session, uuid: str, events: Iterable[str], **extra) -> None:
    _emit(session, Action, payload(session, Action, uuid), events, **extra)


def emit_plan(session: Session, uuid: str, events: Iterable[str], **extra) -> None:
    _emit(session, ActionPlan, payload(session, ActionPlan, uuid), events, **extra)


def _move(session, model, uuid, to_state, expected, values, current) -> tuple[dict, dict]:
    """Transition one row; returns its payload as written and its ``state_update``.

    The payload is read before the conditional UPDATE, or given as ``current`` by a caller that
    read it in this transaction; the UPDATE still decides (from ``current``'s state, then, so
    the reported old state is exact) and a concurrent change raises IllegalTransition. It is
    patched in memory after the UPDATE, saving a query per change.
    """
    if current is not None:
        if expected is not None and current["state"] not in _as_set(expected):
            raise IllegalTransition(model.__name__, uuid, current["state"], str(to_state))
        expected = current["state"]
    data = dict(current) if current is not None else payload(session, model, uuid)
    old = data["state"] if data is not None else None
    transition(session, model, uuid, to_state, Actor.SERVICE, expected=expected, **values)
    data.update({k: v for k, v in {"state": str(to_state), **values}.items() if k in data})
    update = {"old_state": old, "state": data["state"], "status_message": data["status_message"]}
    return data, update


def _as_set(expected: str | set[str] | frozenset[str]) -> set[str]:
    return {expected} if isinstance(expected, str) else set(expected)


def move_action(
    session: Session,
    uuid: str,
    to_state: str,
    *,
    expected: str | set[str] | frozenset[str] | None = None,
    events: Iterable[str] | Callable[[str], Iterable[str]] = (),
    fault: str | None = None,
    current: dict | None = None,
    **values,
) -> dict:
    """Transition one action and emit ``action.update`` plus ``events`` (or ``events(old
    state)``); returns its payload as written. ``current``: its payload as read in this
    transaction, if the caller has it."""
    data, update = _move(session, Action, uuid, to_state, expected, values, current)
    if callable(events):
        events = events(update["old_state"])
    named = {"fault": fault} if fault else {}
    emitted = [("action.update", {**data, "state_update": update})]
    emitted += [(t, {**data, **named}) for t in events]
    emit(session, OBJECT_NAMES[Action], emitted)
    return data


def move_plan(
    session: Session,
    uuid: str,
    to_state: str,
    *,
    expected: str | set[str] | frozenset[str] | None = None,
    events: Iterable[str] = (),
    **values,
) -> None:
    """Transition one plan and emit ``action_plan.update`` plus ``events``."""
    data, update = _move(session, ActionPlan, uuid, to_state, expected, values, None)
    emitted = [("action_plan.update", {**data, "state_update": update})]
    emitted += [(t, data) for t in events]
    emit(session, OBJECT_NAMES[ActionPlan], emitted)
