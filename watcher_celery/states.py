"""Audit, action-plan and action states and the one transition table per object.

Every state change in the project goes through :func:`transition` (one object) or
:func:`transition_where` (many rows), which issue a conditional ``UPDATE ... WHERE state IN
(allowed sources)``: two workers racing for the same object cannot both win, and a forbidden
change raises :class:`~watcher_celery.errors.IllegalTransition` instead of writing.

Each edge names who may take it: the ``OPERATOR`` (API PATCH, DELETE, ``/start``) or the
``SERVICE`` (decision engine and applier). Unlike upstream, where the services write states
without consulting the table, here the services are held to it too.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from watcher_celery.db.models import Action, ActionPlan, Audit, utcnow
from watcher_celery.errors import IllegalTransition, NotFound


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

TERMINAL_ACTION_STATES = frozenset({_C.SUCCEEDED, _C.FAILED, _C.CANCELLED, _C.SKIPPED})
TERMINAL_PLAN_STATES = frozenset({_P.SUCCEEDED, _P.FAILED, _P.CANCELLED, _P.SUPERSEDED, _P.DELETED})
INACTIVE_AUDIT_STATES = frozenset({_A.CANCELLED, _A.DELETED, _A.FAILED, _A.SUSPENDED})


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


def transition(
    session: Session,
    model: type,
    uuid: str,
    to_state: str,
    actor: Actor,
    *,
    expected: str | set[str] | frozenset[str] | None = None,
    **values: Any,
) -> None:
    """Move one object to ``to_state`` atomically, writing ``values`` in the same UPDATE.

    ``expected`` narrows the allowed source states further (e.g. claim only from PENDING).
    Raises :class:`NotFound` if the object does not exist and :class:`IllegalTransition` if it
    is in a state from which this change is not allowed (including when another worker changed
    it first).
    """
    allowed_from = set(sources(model, to_state, actor))
    if expected is not None:
        allowed_from &= {expected} if isinstance(expected, str) else set(expected)
    # A Core UPDATE of the table: the same statement as the ORM's, without its bulk-update
    # bookkeeping (this runs twice per action the applier executes).
    table = model.__table__
    stmt = (
        update(table)
        .where(table.c.uuid == uuid, table.c.state.in_(allowed_from))
        .values(state=str(to_state), updated_at=utcnow(), **values)
    )
    if session.execute(stmt).rowcount == 1:
        return
    current = session.execute(select(model.state).where(model.uuid == uuid)).scalar_one_or_none()
    if current is None:
        raise NotFound(model.__name__, uuid)
    raise IllegalTransition(model.__name__, uuid, current, str(to_state))


def transition_where(
    session: Session,
    model: type,
    to_state: str,
    actor: Actor,
    *criteria: ColumnElement[bool],
    expected: str | set[str] | frozenset[str] | None = None,
    **values: Any,
) -> int:
    """Move every row matching ``criteria`` whose state allows it; returns how many moved."""
    allowed_from = set(sources(model, to_state, actor))
    if expected is not None:
        allowed_from &= {expected} if isinstance(expected, str) else set(expected)
    stmt = (
        update(model)
        .where(model.state.in_(allowed_from), *criteria)
        .values(state=str(to_state), updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return session.execute(stmt).rowcount
