"""One audit run (reference §8.1): force, auto_trigger, ongoing-plan check, failures, defaults."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from harness.rows import make_plan
from watcher_celery.db import (
    Action,
    ActionPlan,
    Audit,
    Goal,
    OutboxMessage,
    Strategy,
    session_scope,
)
from watcher_celery.decision_engine.audit_flow import PLAN_ONGOING, run_audit
from watcher_celery.decision_engine.sync import sync_plugins
from watcher_celery.dispatch import LAUNCH_ACTION_PLAN
from watcher_celery.states import ActionPlanState, Actor, transition_where


def _audit(goal: str = "dummy", strategy: str | None = None, **values) -> str:
    sync_plugins()
    with session_scope() as session:
        goal_row = session.scalars(select(Goal).where(Goal.name == goal, Goal.deleted == 0)).one()
        strategy_id = None
        if strategy:
            strategy_id = session.scalars(
                select(Strategy.id).where(Strategy.name == strategy, Strategy.deleted == 0)
            ).one()
        audit = Audit(
            name=f"a-{uuid.uuid4().hex}",
            audit_type="ONESHOT",
            state="PENDING",
            goal_id=goal_row.id,
            strategy_id=strategy_id,
            **values,
        )
        session.add(audit)
        session.flush()
        return audit.uuid


def _row(audit_uuid: str) -> Audit:
    with session_scope() as session:
        return session.scalars(select(Audit).where(Audit.uuid == audit_uuid)).one()


@pytest.fixture()
def no_ongoing_plan(database):
    yield
    with session_scope() as session:
        transition_where(
            session,
            ActionPlan,
            ActionPlanState.CANCELLED,
            Actor.SERVICE,
            expected=ActionPlanState.ONGOING,
        )


def test_parameters_get_their_defaults_and_the_strategy_is_recorded(no_ongoing_plan):
    audit = _audit(parameters={"para2": "hi"})
    result = run_audit(audit)
    row = _row(audit)
    assert (result.state, row.state) == ("SUCCEEDED", "SUCCEEDED")
    assert row.parameters == {"para1": 3.2, "para2": "hi"}
    assert row.strategy.name == "dummy"
    assert result.action_plan_uuid and not _launches_asked(result.action_plan_uuid)


def _launches_asked(plan_uuid: str) -> list[str]:
    with session_scope() as session:
        return list(
            session.scalars(
                select(OutboxMessage.task).where(OutboxMessage.target_uuid == plan_uuid)
            )
        )


def test_auto_trigger_asks_for_the_plan_to_be_launched_with_the_plan(no_ongoing_plan):
    # Given an auto_trigger audit, When it runs
    result = run_audit(_audit(auto_trigger=True))
    # Then the plan's launch is in the outbox, written with the plan
    assert _launches_asked(result.action_plan_uuid) == [LAUNCH_ACTION_PLAN]


def test_an_ongoing_plan_cancels_an_unforced_oneshot_audit_but_not_a_forced_one(no_ongoing_plan):
    make_plan(audit_state="SUCCEEDED", plan_state="ONGOING", action_states=("ONGOING",))
    unforced = _audit()
    assert run_audit(unforced).state == "CANCELLED"
    assert _row(unforced).status_message == PLAN_ONGOING
    assert run_audit(_audit(force=True)).state == "SUCCEEDED"


def test_a_failing_strategy_ends_the_audit_failed_with_its_message(no_ongoing_plan):
    audit = _audit(
        "unclassified",
        "actuator",
        parameters={"actions": [{"action_type": "teleport", "input_parameters": {}}]},
    )
    assert run_audit(audit).state == "FAILED"
    assert _row(audit).status_message == "Action type 'teleport' is not installed"
    with session_scope() as session:
        plans = session.scalars(select(ActionPlan).where(ActionPlan.audit_id == _row(audit).id))
        assert list(plans) == []


def test_invalid_parameters_fail_the_audit_with_the_reason(no_ongoing_plan):
    audit = _audit(parameters={"para1": 99})
    assert run_audit(audit).state == "FAILED"
    assert "para1" in _row(audit).status_message


def test_actuator_keeps_the_operators_order_each_action_after_the_previous(no_ongoing_plan):
    # Given actions in an order the weight planner would change (it runs nop before sleep,
    # change_nova_service_state before stop)
    given = [
        ("sleep", None, {"duration": 0}),
        ("stop", str(uuid.uuid4()), {}),
        ("nop", None, {"message": "after the sleep"}),
        ("change_nova_service_state", "compute-1", {"state": "enabled"}),
    ]
    items = [
        {"action_type": t, "input_parameters": p, **({"resource_id": r} if r else {})}
        for t, r, p in given
    ]
    audit = _audit("unclassified", "actuator", parameters={"actions": items})
    result = run_audit(audit)
    assert result.state == "SUCCEEDED"
    # Then the plan is a chain in the given order
    with session_scope() as session:
        plan_id = session.scalars(
            select(ActionPlan.id).where(ActionPlan.uuid == result.action_plan_uuid)
        ).one()
        rows = {
            a.uuid: a
            for a in session.scalars(select(Action).where(Action.action_plan_id == plan_id))
        }
    chain, parent = [], None
    while len(chain) < len(rows):
        step = next(a for a in rows.values() if (a.parents or []) == ([parent] if parent else []))
        chain.append(step.action_type)
        parent = step.uuid
    assert chain == [t for t, _, _ in given]
