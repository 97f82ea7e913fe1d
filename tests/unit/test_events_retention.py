"""The events outbox keeps a bounded history: the retention sweep deletes what is older than
``WATCHER_EVENTS_RETENTION_HOURS``, in batches, and nothing newer (PostgreSQL and SQLite)."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import func, select, update

from harness.rows import make_dag_plan
from watcher_celery.applier.launch import launch
from watcher_celery.config import reset_settings
from watcher_celery.db import Event, session_scope
from watcher_celery.db.models import utcnow
from watcher_celery.events import prune, prune_expired


def plan_events(plan_uuid: str) -> list[int]:
    with session_scope() as session:
        return [
            e.id
            for e in session.scalars(select(Event).order_by(Event.id))
            if e.payload["payload"]["watcher_object.data"].get("uuid") == plan_uuid
        ]


def age(ids: list[int], hours: float) -> None:
    with session_scope() as session:
        session.execute(
            update(Event)
            .where(Event.id.in_(ids))
            .values(created_at=utcnow() - timedelta(hours=hours))
        )


def test_sweep_deletes_events_past_the_retention_and_keeps_newer_ones(database, settings_env):
    # Given the events of two launched plans, one's 10 days old, the other's fresh
    old, fresh = make_dag_plan([("nop", {"message": "o"}, [])]), make_dag_plan([])
    launch(old["plan"])
    launch(fresh["plan"])
    old_ids, fresh_ids = plan_events(old["plan"]), plan_events(fresh["plan"])
    assert old_ids and fresh_ids
    age(old_ids, 240)
    # When the sweep runs with the default week of retention
    settings_env.delenv("WATCHER_EVENTS_RETENTION_HOURS", raising=False)
    reset_settings()
    removed = prune_expired()
    # Then the old plan's events are gone and the fresh plan's are kept
    assert removed >= len(old_ids)
    assert plan_events(old["plan"]) == []
    assert plan_events(fresh["plan"]) == fresh_ids


def test_zero_retention_keeps_every_event(database, settings_env):
    made = make_dag_plan([])
    launch(made["plan"])
    ids = plan_events(made["plan"])
    age(ids, 24 * 365)
    settings_env.setitem(os.environ, "WATCHER_EVENTS_RETENTION_HOURS", "0")
    reset_settings()
    assert prune_expired() == 0
    assert plan_events(made["plan"]) == ids


def test_sweep_works_through_more_rows_than_one_batch(database):
    made = make_dag_plan([])
    launch(made["plan"])
    ids = plan_events(made["plan"])
    age(ids, 48)
    with session_scope() as session:
        before = session.scalar(
            select(func.count(Event.id)).where(Event.created_at < utcnow() - timedelta(hours=1))
        )
    assert prune(utcnow() - timedelta(hours=1), batch=1) == before
    assert plan_events(made["plan"]) == []
