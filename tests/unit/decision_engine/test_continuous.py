"""Continuous scheduling from the audits table: due runs, cadence, windows, no double claim."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from watcher_celery.db import Action, ActionPlan, Audit, Goal, session_scope
from watcher_celery.decision_engine.audit_flow import run_audit
from watcher_celery.decision_engine.continuous import (
    claim_due_audits,
    end_run,
    next_run_time,
)
from watcher_celery.decision_engine.sync import sync_plugins

NOW = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)


def _audit(**values) -> str:
    sync_plugins()
    with session_scope() as session:
        goal = session.scalars(select(Goal).where(Goal.name == "dummy", Goal.deleted == 0)).one()
        audit = Audit(
            name=f"c-{uuid.uuid4().hex}",
            audit_type="CONTINUOUS",
            state=values.pop("state", "PENDING"),
            goal_id=goal.id,
            interval=values.pop("interval", "60"),
            **values,
        )
        session.add(audit)
        session.flush()
        return audit.uuid


def _row(audit_uuid: str) -> Audit:
    with session_scope() as session:
        return session.scalars(select(Audit).where(Audit.uuid == audit_uuid)).one()


def _claim(now: datetime) -> list[str]:
    sent: list[str] = []
    claim_due_audits(sent.append, now)
    return sent


@pytest.fixture()
def clean(database):
    with session_scope() as session:
        for audit in session.scalars(select(Audit).where(Audit.audit_type == "CONTINUOUS")):
            audit.state = "CANCELLED"


def test_interval_keeps_its_cadence_and_cron_uses_the_next_match():
    assert next_run_time("60", NOW, None) == NOW + timedelta(seconds=60)
    # Due 130 s ago on a 60 s cadence: the next slot of that cadence is NOW + 50 s
    previous = NOW - timedelta(seconds=130)
    assert next_run_time("60", NOW, previous) == NOW + timedelta(seconds=50)
    assert next_run_time("*/15 * * * *", NOW + timedelta(minutes=1), None) == NOW + timedelta(
        minutes=15
    )


def test_a_new_audit_is_claimed_once_and_then_not_until_due(clean):
    audit = _audit()
    # When two ticks run at the same moment, Then only the first claims the run
    assert _claim(NOW) == [audit]
    assert _claim(NOW) == []
    row = _row(audit)
    assert row.next_run_time == NOW + timedelta(seconds=60)
    # And while the run is in progress it is not claimed again, even when due
    assert _claim(NOW + timedelta(seconds=61)) == []
    # When the run ends, Then the next due time claims it again
    end_run(audit)
    assert _claim(NOW + timedelta(seconds=59)) == []
    assert _claim(NOW + timedelta(seconds=61)) == [audit]


def test_suspended_audits_are_skipped_and_resumed_ones_run_at_their_stored_time(clean):
    audit = _audit(state="SUSPENDED", next_run_time=NOW)
    assert _claim(NOW + timedelta(hours=1)) == []
    with session_scope() as session:
        session.get(Audit, _row(audit).id).state = "ONGOING"
    assert _claim(NOW - timedelta(seconds=1)) == []
    assert _claim(NOW) == [audit]


def test_start_and_end_windows(clean):
    later = _audit(start_time=NOW + timedelta(minutes=5))
    over = _audit(state="ONGOING", end_time=NOW - timedelta(seconds=1))
    assert _claim(NOW) == []
    assert _row(over).state == "SUCCEEDED"
    assert "end_time" in _row(over).status_message
    assert _claim(NOW + timedelta(minutes=5)) == [later]


def test_each_run_cancels_the_older_recommended_plan_and_keeps_the_audit_ongoing(clean):
    audit = _audit(interval="1")
    first = run_audit(audit)
    second = run_audit(audit)
    assert first.state == second.state == "ONGOING"
    with session_scope() as session:
        states = {
            p.uuid: p.state
            for p in session.scalars(
                select(ActionPlan).where(ActionPlan.audit_id == _row(audit).id)
            )
        }
    assert states == {first.action_plan_uuid: "CANCELLED", second.action_plan_uuid: "RECOMMENDED"}
    assert _row(audit).state == "ONGOING"
    assert _row(audit).run_started_at is None
    # And the cancelled plan keeps no PENDING action: its actions are CANCELLED with it
    with session_scope() as session:
        cancelled = session.scalars(
            select(Action.state).join(ActionPlan).where(ActionPlan.uuid == first.action_plan_uuid)
        ).all()
    assert cancelled and set(cancelled) == {"CANCELLED"}


def test_an_event_audit_runs_again_from_succeeded_and_returns_to_succeeded(clean):
    audit = _audit(interval=None)
    with session_scope() as session:
        session.get(Audit, _row(audit).id).audit_type = "EVENT"
    assert run_audit(audit).state == "SUCCEEDED"
    again = run_audit(audit)
    assert again.state == "SUCCEEDED" and again.action_plan_uuid
    # an EVENT audit is never picked by the continuous scheduler
    assert _claim(NOW) == []


def test_an_unschedulable_interval_fails_its_audit_and_does_not_block_the_others(clean):
    huge = _audit(interval="9" * 30)
    fine = _audit()
    assert _claim(NOW) == [fine]
    assert _row(huge).state == "FAILED"
    assert "cannot be scheduled" in _row(huge).status_message
