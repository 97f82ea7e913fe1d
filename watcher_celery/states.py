"""Audit, action-plan and action states, the one transition table per object, the state
groupings, and the one way to change a state.

Every state change in the project goes through :func:`transition` (one object) or
:func:`transition_where` (many rows), which issue a conditional ``UPDATE ... WHERE state IN
(allowed sources)``: two workers racing for the same object cannot both win, and a forbidden
change raises :class:`~watcher_celery.errors.IllegalTransition` instead of writing. Both write
the change's events (``audit.update``, ``action_plan.update``, ``action.update`` with the old
and new state, plus any named event) in the same transaction, so no caller can change a state
without its event, and a rolled-back change leaves none (``events.py`` publishes after commit).

Each edge names who may take it: the ``OPERATOR`` (API PATCH, DELETE, ``/start``) or the
``SERVICE`` (decision engine, beat and applier). Unlike upstream, where the services write
states without consulting the table, here the services are held to it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from watcher_celery import event_payloads
from watcher_celery.db.models import Action, ActionPlan, Audit, utcnow
from watcher_celery.errors import IllegalTransition, NotFound
from watcher_celery.events import emit

# Rows moved by one UPDATE of transition_where (an IN list of UUIDs).
BATCH = 1000


class Actor(StrEnum):
    OPERATOR = "operator"
    SERVICE = "service"


class AuditType(StrEnum):
    ONESHOT = "ONESHOT"
    CONTINUOUS = "CONTINUOUS"
    EVENT = "EVENT"


class AuditState(StrEnum):
    PENDING = "PENDING"
    ONGOING = "ONGOING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    SUSPENDED = "SUSPENDED"
    DELETED = "DELETED"


class ActionPlanState(StrEnum):
    RECOMMENDED = "RECOMMENDED"
    PENDING = "PENDING"
    ONGOING = "ONGOING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    CANCELLING = "CANCELLING"
    SUPERSEDED = "SUPERSEDED"
    DELETED = "DELETED"


class ActionState(StrEnum):
    PENDING = "PENDING"
    ONGOING = "ONGOING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    CANCELLING = "CANCELLING"
    SKIPPED = "SKIPPED"
    DELETED = "DELETED"


BOTH = frozenset({Actor.OPERATOR, Actor.SERVICE})
OP = frozenset({Actor.OPERATOR})
SVC = frozenset({Actor.SERVICE})

_A = AuditState
AUDIT_TRANSITIONS: dict[tuple[AuditState, AuditState], frozenset[Actor]] = {
    (_A.PENDING, _A.ONGOING): BOTH,
    (_A.PENDING, _A.CANCELLED): BOTH,
    (_A.ONGOING, _A.SUCCEEDED): BOTH,
    (_A.ONGOING, _A.FAILED): BOTH,
    (_A.ONGOING, _A.CANCELLED): BOTH,
    (_A.ONGOING, _A.SUSPENDED): BOTH,
    (_A.SUSPENDED, _A.ONGOING): BOTH,
    # An EVENT audit returns to SUCCEEDED after each run and is re-triggered from there.
    (_A.SUCCEEDED, _A.ONGOING): SVC,
    (_A.FAILED, _A.DELETED): OP,
    (_A.SUCCEEDED, _A.DELETED): OP,
    (_A.CANCELLED, _A.DELETED): OP,
    (_A.SUSPENDED, _A.DELETED): OP,
}

_P = ActionPlanState
ACTION_PLAN_TRANSITIONS: dict[tuple[ActionPlanState, ActionPlanState], frozenset[Actor]] = {
    # The operator starts a plan; the decision engine does for an auto_trigger audit. The
    # applier launches PENDING plans only, so a task sent by any other path cannot start one.
    (_P.RECOMMENDED, _P.PENDING): BOTH,
    (_P.PENDING, _P.ONGOING): SVC,
    (_P.ONGOING, _P.SUCCEEDED): SVC,
    (_P.ONGOING, _P.FAILED): SVC,
    (_P.ONGOING, _P.CANCELLING): OP,
    (_P.CANCELLING, _P.CANCELLED): SVC,
    (_P.CANCELLING, _P.FAILED): SVC,
    (_P.RECOMMENDED, _P.CANCELLED): BOTH,
    (_P.PENDING, _P.CANCELLED): BOTH,
    (_P.ONGOING, _P.CANCELLED): SVC,  # recovery when its applier is gone for good
    (_P.RECOMMENDED, _P.SUPERSEDED): SVC,
    (_P.SUCCEEDED, _P.DELETED): OP,
    (_P.RECOMMENDED, _P.DELETED): OP,
    (_P.FAILED, _P.DELETED): OP,
    (_P.SUPERSEDED, _P.DELETED): OP,
    (_P.CANCELLED, _P.DELETED): OP,
}

_C = ActionState
ACTION_TRANSITIONS: dict[tuple[ActionState, ActionState], frozenset[Actor]] = {
    (_C.PENDING, _C.ONGOING): SVC,
    (_C.PENDING, _C.SKIPPED): BOTH,
    (_C.PENDING, _C.FAILED): SVC,
    (_C.PENDING, _C.CANCELLED): BOTH,
    (_C.ONGOING, _C.SUCCEEDED): SVC,
    (_C.ONGOING, _C.FAILED): SVC,
    (_C.ONGOING, _C.CANCELLING): SVC,
    (_C.CANCELLING, _C.CANCELLED): SVC,
    (_C.CANCELLING, _C.SUCCEEDED): SVC,
    (_C.CANCELLING, _C.FAILED): SVC,
    **{(state, _C.DELETED): OP for state in _C if state is not _C.DELETED},
}

TABLES: dict[type, dict] = {
    Audit: AUDIT_TRANSITIONS,
    ActionPlan: ACTION_PLAN_TRANSITIONS,
    Action: ACTION_TRANSITIONS,
}

STATE_ENUMS: dict[type, type[StrEnum]] = {
    Audit: AuditState,
    ActionPlan: ActionPlanState,
    Action: ActionState,
}

# The groupings the services and the API reason with, each declared once here.
TERMINAL_ACTION_STATES = frozenset({_C.SUCCEEDED, _C.FAILED, _C.CANCELLED, _C.SKIPPED})
# An action a worker is running (or aborting): what recovery and a re-delivery resume.
RUNNING_ACTION_STATES = frozenset({_C.ONGOING, _C.CANCELLING})
# An action whose task failed before it finished: the errback may still mark it FAILED.
FAILABLE_ACTION_STATES = frozenset({_C.PENDING, _C.ONGOING})
TERMINAL_PLAN_STATES = frozenset({_P.SUCCEEDED, _P.FAILED, _P.CANCELLED, _P.SUPERSEDED, _P.DELETED})
# A plan not launched yet: its PENDING actions may still be skipped by the operator.
UNSTARTED_PLAN_STATES = frozenset({_P.RECOMMENDED, _P.PENDING})
# A plan the applier owns: it advances it, recovers it and watches its running actions.
RUNNING_PLAN_STATES = frozenset({_P.ONGOING, _P.CANCELLING})
# A plan being or already cancelled: none of its actions may start.
CANCELLED_PLAN_STATES = frozenset({_P.CANCELLING, _P.CANCELLED})
INACTIVE_AUDIT_STATES = frozenset({_A.CANCELLED, _A.DELETED, _A.FAILED, _A.SUSPENDED})
# A CONTINUOUS audit the scheduler runs: PENDING (first run) or ONGOING (between runs).
SCHEDULED_AUDIT_STATES = frozenset({_A.PENDING, _A.ONGOING})
# An EVENT audit a webhook may run: never run yet, or back to SUCCEEDED after its last run.
TRIGGERABLE_AUDIT_STATES = frozenset({_A.PENDING, _A.SUCCEEDED})


def operator_targets(model: type) -> frozenset[str]:
    """The states an operator may PATCH an object of ``model`` to (DELETE leads to DELETED)."""
    return frozenset(
        str(dst)
        for (_src, dst), actors in TABLES[model].items()
        if Actor.OPERATOR in actors and dst != "DELETED"
    )


PATCHABLE_PLAN_STATES = operator_targets(ActionPlan)


def allowed(model: type, from_state: str, to_state: str, actor: Actor) -> bool:
    """True when ``actor`` may move an object of ``model`` from ``from_state`` to ``to_state``."""
    actors = TABLES[model].get((from_state, to_state))
    return actors is not None and actor in actors


def sources(model: type, to_state: str, actor: Actor) -> frozenset[str]:
    """The states from which ``actor`` may move an object of ``model`` to ``to_state``."""
    return frozenset(
        str(src)
        for (src, dst), actors in TABLES[model].items()
        if dst == to_state and actor in actors
    )


def check(model: type, from_state: str, to_state: str, actor: Actor, uuid: str = "") -> None:
    """Raise :class:`IllegalTransition` unless the change is allowed (used before writing)."""
    if not allowed(model, from_state, to_state, actor):
        raise IllegalTransition(model.__name__, uuid, from_state, to_state)


def _sources_within(
    model: type, to_state: str, actor: Actor, expected: str | Iterable[str] | None
) -> set[str]:
    allowed_from = set(sources(model, to_state, actor))
    if expected is not None:
        allowed_from &= {expected} if isinstance(expected, str) else set(expected)
    return allowed_from


def _written(data: dict, to_state: str, values: dict[str, Any]) -> dict:
    """The payload after the UPDATE, patched in memory instead of read again."""
    data.update({k: v for k, v in {"state": str(to_state), **values}.items() if k in data})
    return data


def _record(
    session: Session,
    model: type,
    moved: list[tuple[dict, str]],
    events: Iterable[str],
    fault: str | None = None,
) -> None:
    """``<object>.update`` with its ``state_update``, then each named event, for every moved
    object, in the session's transaction (published once it commits)."""
    update_event = f"{event_payloads.EVENT_PREFIXES[model]}.update"
    named = {"fault": fault} if fault else {}
    emitted = []
    for data, old_state in moved:
        change = {
            "old_state": old_state,
            "state": data["state"],
            "status_message": data["status_message"],
        }
        emitted.append((update_event, {**data, "state_update": change}))
        emitted += [(event, {**data, **named}) for event in events]
    emit(session, event_payloads.OBJECT_NAMES[model], emitted)


def transition(
    session: Session,
    model: type,
    uuid: str,
    to_state: str,
    actor: Actor,
    *,
    expected: str | Iterable[str] | None = None,
    current: dict | None = None,
    events: Iterable[str] | Callable[[str], Iterable[str]] = (),
    fault: str | None = None,
    **values: Any,
) -> dict:
    """Move one object to ``to_state`` atomically, writing ``values`` in the same UPDATE and
    its events in the same transaction; returns its payload as written.

    ``expected`` narrows the allowed source states further (e.g. claim only from PENDING).
    ``current`` is the object's payload (``event_payloads``) as the caller read it in this
    transaction: the UPDATE then requires that state, so the reported old state is exact, and
    nothing is read again. Otherwise the payload is read first, with the row locked.
    ``events`` (or ``events(old state)``) are named events emitted after ``<object>.update``;
    ``fault`` is added to them. Raises :class:`NotFound` if the object does not exist and
    :class:`IllegalTransition` if it is in a state from which this change is not allowed
    (including when another worker changed it first).
    """
    allowed_from = _sources_within(model, to_state, actor, expected)
    if current is None:
        found = session.execute(
            event_payloads.select_payload(model, uuid).with_for_update(of=model.__table__)
        ).one_or_none()
        if found is None:
            raise NotFound(model.__name__, uuid)
        current = found._mapping
    data = dict(current)
    old_state = data["state"]
    if old_state not in allowed_from:
        raise IllegalTransition(model.__name__, uuid, old_state, str(to_state))
    # A Core UPDATE of the table: the same statement as the ORM's, without its bulk-update
    # bookkeeping (this runs twice per action the applier executes).
    table = model.__table__
    stmt = (
        update(table)
        .where(table.c.uuid == uuid, table.c.state == old_state)
        .values(state=str(to_state), updated_at=utcnow(), **values)
    )
    if session.execute(stmt).rowcount != 1:
        now = session.execute(select(table.c.state).where(table.c.uuid == uuid)).scalar()
        if now is None:
            raise NotFound(model.__name__, uuid)
        raise IllegalTransition(model.__name__, uuid, now, str(to_state))
    _written(data, to_state, values)
    if callable(events):
        events = events(old_state)
    _record(session, model, [(data, old_state)], events, fault)
    return data


def transition_where(
    session: Session,
    model: type,
    to_state: str,
    actor: Actor,
    *criteria: ColumnElement[bool],
    expected: str | Iterable[str] | None = None,
    events: Iterable[str] = (),
    **values: Any,
) -> int:
    """Move every row matching ``criteria`` whose state allows it, each with its events in the
    same transaction; returns how many moved.

    The rows are selected and locked first (their old states are what the events report), then
    moved by one UPDATE per batch that still checks their state.
    """
    allowed_from = _sources_within(model, to_state, actor, expected)
    table = model.__table__
    uuids = list(
        session.scalars(
            select(table.c.uuid)
            .where(table.c.state.in_(allowed_from), *criteria)
            .order_by(table.c.id)
            .with_for_update()
        )
    )
    events = list(events)
    count = 0
    for start in range(0, len(uuids), BATCH):
        batch = uuids[start : start + BATCH]
        before = {
            row.uuid: dict(row._mapping)
            for row in session.execute(
                event_payloads.select_payloads(model).where(model.uuid.in_(batch))
            )
        }
        moved_uuids = session.scalars(
            update(table)
            .where(table.c.uuid.in_(batch), table.c.state.in_(allowed_from))
            .values(state=str(to_state), updated_at=utcnow(), **values)
            .returning(table.c.uuid)
        ).all()
        moved = []
        for uuid in moved_uuids:
            data = before[uuid]
            old_state = data["state"]
            moved.append((_written(data, to_state, values), old_state))
        _record(session, model, moved, events)
        count += len(moved)
    return count
