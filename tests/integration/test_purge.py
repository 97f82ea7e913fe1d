"""``watcher-celery purge``: soft-deleted rows older than the age go, children first; a dry
run (the default) only counts. Run as the real command on PostgreSQL and on SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from harness.processes import ROOT
from harness.rows import make_plan
from watcher_celery.db import Action, ActionPlan, Audit, session_scope
from watcher_celery.db.models import (
    AuditTemplate,
    EfficacyIndicator,
    Event,
    Goal,
    utcnow,
)
from watcher_celery.events import emit

pytestmark = pytest.mark.integration


def _purge(database: str, *args: str) -> str:
    env = {**os.environ, "WATCHER_DATABASE_URL": database}
    done = subprocess.run(
        [sys.executable, "-m", "watcher_celery.cli", "purge", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _soft_delete(model, uuid_or_id, days_ago: float) -> None:
    column = model.uuid if isinstance(uuid_or_id, str) else model.id
    with session_scope() as session:
        session.execute(
            update(model)
            .where(column == uuid_or_id)
            .values(deleted_at=utcnow() - timedelta(days=days_ago), deleted=model.id)
        )


def _count(model, *where) -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _event_about(uuid: str) -> None:
    with session_scope() as session:
        emit(session, "ActionPlanPayload", [("action_plan.update", {"uuid": uuid})])


def _template(name: str) -> int:
    with session_scope() as session:
        goal = session.scalars(select(Goal).where(Goal.name == "dummy", Goal.deleted == 0)).one()
        row = AuditTemplate(name=name, goal_id=goal.id)
        session.add(row)
        session.flush()
        return row.id


def test_purge_counts_first_then_deletes_old_soft_deleted_rows_and_their_children(database):
    # Given an audit soft-deleted 40 days ago with a live-looking plan, actions, an indicator
    # and events; an audit soft-deleted yesterday; a live audit; an old deleted template
    old_audit, old_plan, old_actions = make_plan(
        audit_state="SUCCEEDED", plan_state="SUCCEEDED", action_states=("SUCCEEDED",) * 3
    )
    with session_scope() as session:
        plan_id = session.scalar(select(ActionPlan.id).where(ActionPlan.uuid == old_plan))
        session.add(EfficacyIndicator(name="released", value=1.0, action_plan_id=plan_id))
    _event_about(old_plan)
    _event_about(old_actions[0])
    _soft_delete(Audit, old_audit, days_ago=40)
    recent_audit, recent_plan, _ = make_plan(audit_state="SUCCEEDED", plan_state="SUCCEEDED")
    _soft_delete(Audit, recent_audit, days_ago=1)
    live_audit, live_plan, live_actions = make_plan(plan_state="SUCCEEDED")
    _event_about(live_plan)
    old_template = _template(f"purge-{old_audit[:8]}")
    _soft_delete(AuditTemplate, old_template, days_ago=40)

    # When an operator runs the dry run
    dry = _purge(database, "--age-in-days", "30")

    # Then it counts exactly the old audit's family, and deletes nothing
    assert "would delete" in dry
    for line in ("audits: 1", "action_plans: 1", "actions: 3", "efficacy_indicators: 1",
                 "events: 2", "audit_templates: 1"):  # fmt: skip
        assert f"  {line}\n" in dry, dry
    assert _count(Audit, Audit.uuid == old_audit) == 1

    # When they confirm
    done = _purge(database, "--age-in-days", "30", "--yes")

    # Then the old family is gone, children included; the recent and the live ones stay
    assert "deleted:" in done and "  actions: 3\n" in done, done
    assert _count(Audit, Audit.uuid == old_audit) == 0
    assert _count(ActionPlan, ActionPlan.uuid == old_plan) == 0
    assert _count(Action, Action.uuid.in_(old_actions)) == 0
    assert _count(EfficacyIndicator, EfficacyIndicator.action_plan_id == plan_id) == 0
    assert _count(AuditTemplate, AuditTemplate.id == old_template) == 0
    subject = Event.payload["payload"]["watcher_object.data"]["uuid"].as_string()
    assert _count(Event, subject.in_([old_plan, old_actions[0]])) == 0
    assert _count(Event, subject == live_plan) == 1
    assert _count(Audit, Audit.uuid.in_([recent_audit, live_audit])) == 2
    assert _count(ActionPlan, ActionPlan.uuid.in_([recent_plan, live_plan])) == 2
    assert _count(Action, Action.uuid.in_(live_actions)) == 1

    # And a second run finds nothing of theirs left
    again = _purge(database, "--age-in-days", "30")
    assert "  audits: 0\n" in again
