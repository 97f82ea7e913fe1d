"""Every state change writes its event in its own transaction, whoever makes it (PostgreSQL and
SQLite): the state layer, the decision engine, beat, the sweeper and the applier.

The API's changes are checked over HTTP in ``tests/e2e/test_api_state_events.py``.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from harness.rows import make_plan
from tests.support.events import about, last_event_id, recorded, state_changes
from watcher_celery.applier.changes import move_action
from watcher_celery.config import reset_settings
from watcher_celery.db import Action, ActionPlan, Audit, Goal, session_scope
from watcher_celery.db.models import utcnow
from watcher_celery.decision_engine.audit_flow import run_audit
from watcher_celery.decision_engine.continuous import claim_due_audits
from watcher_celery.decision_engine.expiry import supersede_expired_plans
from watcher_celery.decision_engine.sync import sync_plugins
from watcher_celery.errors import IllegalTransition
from watcher_celery.event_payloads import read_payload
from watcher_celery.housekeeping import sweep
from watcher_celery.states import (
    ActionPlanState,
    ActionState,
    Actor,
    AuditState,
    transition,
    transition_where,
)


def _state(model, uuid_: str) -> str:
    with session_scope() as session:
        return session.scalar(select(model.state).where(model.uuid == uuid_))


class Abandon(Exception):
    """Raised inside a transaction to roll it back."""


@pytest.mark.parametrize(
    ("model", "kind", "src", "dst", "event"),
    [
        (Audit, "audit", "PENDING", "CANCELLED", "audit.update"),
        (ActionPlan, "plan", "RECOMMENDED", "PENDING", "action_plan.update"),
        (Action, "action", "PENDING", "SKIPPED", "action.update"),
    ],
)
def test_a_transition_writes_its_update_event_with_old_and_new_state(
    database, model, kind, src, dst, event
):
    audit, plan, actions = make_plan(audit_state="PENDING")
    target = {"audit": audit, "plan": plan, "action": actions[0]}[kind]
    mark = last_event_id()
    with session_scope() as session:
        transition(session, model, target, dst, Actor.OPERATOR, status_message="why")
    assert state_changes(target, mark) == [(event, src, dst)]
    [message] = about(target, mark)
    data = message["payload"]["watcher_object.data"]
    assert (data["state"], data["status_message"]) == (dst, "why")
    assert message["priority"] == "INFO"


def test_a_rolled_back_transition_leaves_neither_its_state_nor_its_event(database):
    audit, plan, actions = make_plan()
    mark = last_event_id()
    with pytest.raises(Abandon), session_scope() as session:
        transition(session, ActionPlan, plan, ActionPlanState.CANCELLED, Actor.OPERATOR)
        transition_where(
            session,
            Action,
            ActionState.CANCELLED,
            Actor.OPERATOR,
            Action.uuid.in_(actions),
        )
        raise Abandon
    assert (_state(ActionPlan, plan), _state(Action, actions[0])) == ("RECOMMENDED", "PENDING")
    assert recorded(mark) == []


def test_a_refused_transition_writes_no_event(database):
    _, plan, _ = make_plan(plan_state="SUCCEEDED")
    mark = last_event_id()
    with pytest.raises(IllegalTransition), session_scope() as session:
        transition(session, ActionPlan, plan, ActionPlanState.PENDING, Actor.OPERATOR)
    assert about(plan, mark) == []


def test_transition_where_writes_one_event_per_row_it_moved_and_none_for_the_others(database):
    _, plan, actions = make_plan(action_states=("PENDING", "SUCCEEDED", "PENDING"))
    mark = last_event_id()
    with session_scope() as session:
        plan_id = session.scalar(select(ActionPlan.id).where(ActionPlan.uuid == plan))
        moved = transition_where(
            session,
            Action,
            ActionState.CANCELLED,
            Actor.SERVICE,
            Action.action_plan_id == plan_id,
            events=["action.cancel.end"],
        )
    assert moved == 2
    for pending in (actions[0], actions[2]):
        assert state_changes(pending, mark) == [("action.update", "PENDING", "CANCELLED")]
        assert [m["event_type"] for m in about(pending, mark)] == [
            "action.update",
            "action.cancel.end",
        ]
    assert about(actions[1], mark) == []


def test_the_applier_passing_what_it_read_reports_that_old_state(database):
    _, _, actions = make_plan(action_states=("PENDING",))
    mark = last_event_id()
    with session_scope() as session:
        current = read_payload(session, Action, actions[0])
        written = move_action(
            session,
            actions[0],
            ActionState.SKIPPED,
            current=current,
            events=lambda old: [f"from.{old}"],
        )
    assert written["state"] == "SKIPPED"
    assert [m["event_type"] for m in about(actions[0], mark)] == ["action.update", "from.PENDING"]
    assert state_changes(actions[0], mark) == [("action.update", "PENDING", "SKIPPED")]


def test_the_applier_refuses_a_stale_current_and_writes_nothing(database):
    _, _, actions = make_plan(action_states=("PENDING",))
    with session_scope() as session:
        stale = read_payload(session, Action, actions[0])
    with session_scope() as session:
        transition(session, Action, actions[0], ActionState.CANCELLED, Actor.OPERATOR)
    mark = last_event_id()
    with pytest.raises(IllegalTransition), session_scope() as session:
        move_action(session, actions[0], ActionState.SKIPPED, current=stale)
    assert _state(Action, actions[0]) == "CANCELLED"
    assert recorded(mark) == []


@pytest.fixture()
def forced_audit(database) -> str:
    """A ONESHOT dummy audit, forced so a plan ONGOING elsewhere does not cancel it."""
    sync_plugins()
    with session_scope() as session:
        goal = session.scalar(select(Goal.id).where(Goal.name == "dummy", Goal.deleted == 0))
        audit = Audit(
            name=f"a-{uuid.uuid4().hex}",
            audit_type="ONESHOT",
            state="PENDING",
            goal_id=goal,
            force=True,
            auto_trigger=True,
        )
        session.add(audit)
        session.flush()
        return audit.uuid


def test_the_decision_engine_reports_the_audit_run_and_the_plan_it_starts(forced_audit):
    mark = last_event_id()
    result = run_audit(forced_audit)
    assert result.state == "SUCCEEDED"
    assert state_changes(forced_audit, mark) == [
        ("audit.update", "PENDING", "ONGOING"),
        ("audit.update", "ONGOING", "SUCCEEDED"),
    ]
    # auto_trigger: the decision engine started the plan it wrote
    assert state_changes(result.action_plan_uuid, mark) == [
        ("action_plan.update", "RECOMMENDED", "PENDING")
    ]
    data = about(forced_audit, mark)[-1]["payload"]["watcher_object.data"]
    assert (data["goal_name"], data["strategy_name"]) == ("dummy", "dummy")
    with session_scope() as session:  # settle it: a PENDING plan would be swept in later tests
        transition(
            session, ActionPlan, result.action_plan_uuid, ActionPlanState.CANCELLED, Actor.SERVICE
        )


def test_the_sweeper_reports_the_actions_it_cancels_with_their_plan(database):
    _, plan, actions = make_plan(plan_state="CANCELLED", action_states=("PENDING",))
    mark = last_event_id()
    assert sweep().cancelled_actions >= 1
    assert state_changes(actions[0], mark) == [("action.update", "PENDING", "CANCELLED")]


def test_beat_reports_the_plans_it_supersedes(database, settings_env):
    settings_env.setitem(os.environ, "WATCHER_ACTION_PLAN_EXPIRY", "2")
    reset_settings()
    _, plan, _ = make_plan()
    with session_scope() as session:
        session.execute(
            update(ActionPlan)
            .where(ActionPlan.uuid == plan)
            .values(created_at=utcnow() - timedelta(hours=3))
        )
    mark = last_event_id()
    supersede_expired_plans()
    assert state_changes(plan, mark) == [("action_plan.update", "RECOMMENDED", "SUPERSEDED")]


def test_beat_reports_a_continuous_audit_it_ends(database):
    audit, _, _ = make_plan(audit_state="PENDING", action_states=())
    with session_scope() as session:
        session.execute(
            update(Audit)
            .where(Audit.uuid == audit)
            .values(audit_type="CONTINUOUS", interval="60", end_time=utcnow() - timedelta(1))
        )
    mark = last_event_id()
    claim_due_audits(lambda _uuid: None)
    assert state_changes(audit, mark) == [
        ("audit.update", "PENDING", "ONGOING"),
        ("audit.update", "ONGOING", "SUCCEEDED"),
    ]
    assert _state(Audit, audit) == AuditState.SUCCEEDED
