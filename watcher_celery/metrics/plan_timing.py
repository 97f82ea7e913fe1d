"""A plan's duration, observed when the applier commits its end.

A plan starts in one worker process and ends in another, so its start is read from the event
the applier wrote then (``action_plan.execution.start``, docs/events.md) when the committed
``action_plan.update`` says it reached SUCCEEDED, FAILED or CANCELLED.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import func, select

from watcher_celery import events
from watcher_celery.db import session_scope
from watcher_celery.db.models import Event, utcnow
from watcher_celery.metrics.instruments import PLAN_SECONDS

LOG = logging.getLogger(__name__)
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
START = "action_plan.execution.start"


def started_at(plan_uuid: str) -> datetime | None:
    subject = Event.payload["payload"]["watcher_object.data"]["uuid"].as_string()
    with session_scope() as session:
        moment = session.scalar(
            select(func.min(Event.created_at)).where(
                Event.event_type == START, subject == plan_uuid
            )
        )
    if moment is not None and moment.tzinfo is None:  # SQLite: naive, UTC
        moment = moment.replace(tzinfo=UTC)
    return moment


def observe_plan_ends(messages: list[dict]) -> None:
    for message in messages:
        if message.get("event_type") != "action_plan.update":
            continue
        data = message["payload"]["watcher_object.data"]
        state = (data.get("state_update") or {}).get("state")
        if state not in TERMINAL:
            continue
        started = started_at(data["uuid"])
        if started is not None:
            PLAN_SECONDS.labels(state).observe((utcnow() - started).total_seconds())


def install(**_kwargs) -> None:
    """Listen to this process's committed events (once)."""
    if observe_plan_ends not in events.COMMIT_LISTENERS:
        events.COMMIT_LISTENERS.append(observe_plan_ends)
