"""RECOMMENDED plans older than the expiry become SUPERSEDED; others are left alone."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import select

from harness.rows import make_plan
from watcher_celery.config import reset_settings
from watcher_celery.db import ActionPlan, session_scope
from watcher_celery.db.models import utcnow
from watcher_celery.decision_engine.expiry import supersede_expired_plans


def _age(plan_uuid: str, hours: float) -> None:
    with session_scope() as session:
        plan = session.scalars(select(ActionPlan).where(ActionPlan.uuid == plan_uuid)).one()
        plan.created_at = utcnow() - timedelta(hours=hours)


def _state(plan_uuid: str) -> str:
    with session_scope() as session:
        return session.scalars(select(ActionPlan.state).where(ActionPlan.uuid == plan_uuid)).one()


def test_old_recommended_plans_are_superseded(database, settings_env):
    monkeypatch = settings_env
    monkeypatch.setitem(os.environ, "WATCHER_ACTION_PLAN_EXPIRY", "2")
    reset_settings()
    _, old, _ = make_plan()
    _, fresh, _ = make_plan()
    _, old_pending, _ = make_plan(plan_state="PENDING")
    _age(old, 3)
    _age(old_pending, 3)
    _age(fresh, 1)
    assert supersede_expired_plans() >= 1
    assert _state(old) == "SUPERSEDED"
    assert _state(fresh) == "RECOMMENDED"
    assert _state(old_pending) == "PENDING"
    monkeypatch.setitem(os.environ, "WATCHER_ACTION_PLAN_EXPIRY", "0")
    reset_settings()
    _, disabled, _ = make_plan()
    _age(disabled, 100)
    assert supersede_expired_plans() == 0
    assert _state(disabled) == "RECOMMENDED"
