"""The state machines: every allowed transition applies, every other one is refused.

Each test runs on PostgreSQL and on SQLite, through the conditional UPDATE of ``transition``.
"""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import select

from harness.rows import make_plan
from watcher_celery.db import Action, ActionPlan, Audit, session_scope
from watcher_celery.errors import IllegalTransition, NotFound
from watcher_celery.states import (
    ACTION_PLAN_TRANSITIONS,
    ACTION_TRANSITIONS,
    AUDIT_TRANSITIONS,
    ActionPlanState,
    ActionState,
    Actor,
    AuditState,
    allowed,
    transition,
    transition_where,
)


def _state(model, uuid: str) -> str:
    with session_scope() as session:
        return session.scalar(select(model.state).where(model.uuid == uuid))


def _object_in(model, state: str) -> str:
    if model is Audit:
        return make_plan(audit_state=state)[0]
    if model is ActionPlan:
        return make_plan(plan_state=state)[1]
    return make_plan(action_states=(state,))[2][0]


TABLES = [
    (Audit, AuditState, AUDIT_TRANSITIONS),
    (ActionPlan, ActionPlanState, ACTION_PLAN_TRANSITIONS),
    (Action, ActionState, ACTION_TRANSITIONS),
]

ALLOWED = [
    pytest.param(model, src, dst, actor, id=f"{model.__name__}:{src}->{dst}:{actor}")
    for model, _enum, table in TABLES
    for (src, dst), actors in table.items()
    for actor in actors
]

FORBIDDEN = [
    pytest.param(model, src, dst, actor, id=f"{model.__name__}:{src}->{dst}:{actor}")
    for model, enum, _table in TABLES
    for src, dst in itertools.permutations(enum, 2)
    for actor in Actor
    if not allowed(model, src, dst, actor)
]


@pytest.mark.parametrize(("model", "src", "dst", "actor"), ALLOWED)
def test_allowed_transition_is_applied(database, model, src, dst, actor):
    uuid = _object_in(model, src)
    with session_scope() as session:
        transition(session, model, uuid, dst, actor)
    assert _state(model, uuid) == dst


def test_every_forbidden_transition_is_refused_and_writes_nothing(database):
    # One object per (model, source state), reused for every forbidden target.
    objects: dict[tuple[type, str], str] = {}
    refused = 0
    for param in FORBIDDEN:
        model, src, dst, actor = param.values
        uuid = objects.get((model, src)) or objects.setdefault((model, src), _object_in(model, src))
        with pytest.raises(IllegalTransition) as info, session_scope() as session:
            transition(session, model, uuid, dst, actor)
        assert info.value.from_state == src
        assert info.value.to_state == dst
        assert _state(model, uuid) == src
        refused += 1
    assert refused == len(FORBIDDEN) > 100


def test_operator_cannot_take_service_only_edges(database):
    # The applier alone moves a plan to ONGOING; an operator PATCH may not.
    assert allowed(ActionPlan, "PENDING", "ONGOING", Actor.SERVICE)
    assert not allowed(ActionPlan, "PENDING", "ONGOING", Actor.OPERATOR)
    uuid = _object_in(ActionPlan, "PENDING")
    with pytest.raises(IllegalTransition), session_scope() as session:
        transition(session, ActionPlan, uuid, "ONGOING", Actor.OPERATOR)


def test_expected_narrows_the_sources(database):
    uuid = _object_in(Audit, "SUSPENDED")
    with pytest.raises(IllegalTransition), session_scope() as session:
        transition(session, Audit, uuid, "ONGOING", Actor.SERVICE, expected="PENDING")
    assert _state(Audit, uuid) == "SUSPENDED"


def test_unknown_object_is_not_found(database):
    with pytest.raises(NotFound), session_scope() as session:
        transition(session, Audit, "00000000-0000-0000-0000-000000000000", "ONGOING", Actor.SERVICE)


def test_transition_writes_extra_values_in_the_same_update(database):
    uuid = _object_in(ActionPlan, "PENDING")
    with session_scope() as session:
        transition(session, ActionPlan, uuid, "ONGOING", Actor.SERVICE, hostname="applier-1")
    with session_scope() as session:
        plan = session.scalars(select(ActionPlan).where(ActionPlan.uuid == uuid)).one()
        assert (plan.state, plan.hostname) == ("ONGOING", "applier-1")


def test_transition_where_moves_only_rows_in_allowed_states(database):
    _, plan_uuid, actions = make_plan(action_states=("PENDING", "ONGOING", "SUCCEEDED", "PENDING"))
    with session_scope() as session:
        plan_id = session.scalar(select(ActionPlan.id).where(ActionPlan.uuid == plan_uuid))
        moved = transition_where(
            session,
            Action,
            "CANCELLED",
            Actor.SERVICE,
            Action.action_plan_id == plan_id,
            expected="PENDING",
        )
    assert moved == 2
    assert [_state(Action, uuid) for uuid in actions] == [
        "CANCELLED",
        "ONGOING",
        "SUCCEEDED",
        "CANCELLED",
    ]


def test_two_racing_claims_have_exactly_one_winner(pg_url):
    # Given one PENDING audit, When eight threads claim it at once (PostgreSQL)
    audit_uuid = _object_in(Audit, "PENDING")
    barrier = threading.Barrier(8)
    wins: list[bool] = []

    def claim():
        barrier.wait()
        try:
            with session_scope() as session:
                transition(session, Audit, audit_uuid, "ONGOING", Actor.SERVICE, expected="PENDING")
            wins.append(True)
        except IllegalTransition:
            wins.append(False)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then exactly one wins
    assert sorted(wins) == [False] * 7 + [True]
