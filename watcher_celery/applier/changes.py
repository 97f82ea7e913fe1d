"""The applier's state changes and the named events each step owes operators.

Every action or plan change the applier makes goes through :func:`move_action` or
:func:`move_plan`, which hand it to ``states.transition`` (the conditional UPDATE, plus
``action.update`` / ``action_plan.update`` with ``state_update`` and the named events of that
step, ``action.execution.end`` ..., all in the caller's transaction). :func:`emit_action` and
:func:`emit_plan` report what changes no state (a rollback's status message, a cancel starting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from watcher_celery import event_payloads
from watcher_celery.db import Action, ActionPlan
from watcher_celery.events import emit
from watcher_celery.states import Actor, transition


def _emit(session: Session, model: type, uuid: str, events: Iterable[str], **extra) -> None:
    data = event_payloads.read_payload(session, model, uuid)
    emit(session, event_payloads.OBJECT_NAMES[model], [(t, {**data, **extra}) for t in events])


def emit_action(session: Session, uuid: str, events: Iterable[str], **extra) -> None:
    _emit(session, Action, uuid, events, **extra)


def emit_plan(session: Session, uuid: str, events: Iterable[str], **extra) -> None:
    _emit(session, ActionPlan, uuid, events, **extra)


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
    return transition(
        session,
        Action,
        uuid,
        to_state,
        Actor.SERVICE,
        expected=expected,
        current=current,
        events=events,
        fault=fault,
        **values,
    )


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
    transition(
        session,
        ActionPlan,
        uuid,
        to_state,
        Actor.SERVICE,
        expected=expected,
        events=events,
        **values,
    )
