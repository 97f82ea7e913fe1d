"""A plan's live view as server-sent events, read from the ``events`` table (the outbox every
state change writes, docs/events.md), so it works on the embedded SQLite deployment and on
PostgreSQL alike.

Messages: ``action`` / ``plan`` (an event about the plan or one of its actions: type, uuid,
new state, status message), ``progress`` (done, total, fraction, remaining seconds) after
each batch of events and every ``TICK`` seconds, and ``end`` once the plan is over. A stream
lasts at most ``MAX_SECONDS``; the page reconnects with ``?after=<last id>``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from watcher_celery.api.dashboard.plan_view import (
    load_plan,
    plan_progress,
    progress_body,
)
from watcher_celery.db import Event, session_scope

POLL = 0.5
TICK = 2.0
MAX_SECONDS = 300.0
OVER = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "SUPERSEDED", "DELETED"})


def last_event_id() -> int:
    with session_scope() as session:
        return session.scalar(select(func.max(Event.id))) or 0


def _events_after(after: int, limit: int = 500) -> list[tuple[int, dict[str, Any]]]:
    with session_scope() as session:
        rows = session.execute(
            select(Event.id, Event.payload).where(Event.id > after).order_by(Event.id).limit(limit)
        ).all()
        return [(row.id, row.payload) for row in rows]


def about_plan(message: dict[str, Any], plan_uuid: str) -> dict[str, Any] | None:
    """The dashboard's view of one event if it concerns ``plan_uuid``, else None."""
    payload = message.get("payload") or {}
    data = payload.get("watcher_object.data") or {}
    name = payload.get("watcher_object.name")
    if name == "ActionPayload" and data.get("action_plan_uuid") == plan_uuid:
        kind = "action"
    elif name == "ActionPlanPayload" and data.get("uuid") == plan_uuid:
        kind = "plan"
    else:
        return None
    return {
        "kind": kind,
        "event_type": message.get("event_type"),
        "uuid": data.get("uuid"),
        "state": data.get("state"),
        "status_message": data.get("status_message"),
        "timestamp": message.get("timestamp"),
    }


def sse(event: str, data: Any, ident: int | None = None) -> str:
    head = f"id: {ident}\n" if ident is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def follow(plan_uuid: str, seconds: dict[str, float], after: int) -> Iterator[str]:
    """The stream for ``plan_uuid``; ``seconds`` are its actions' estimates."""
    started = last_tick = time.monotonic()
    plan = load_plan(plan_uuid)
    yield sse("progress", {"state": plan.state, **progress_body(plan_progress(plan, seconds))})
    while time.monotonic() - started < MAX_SECONDS:
        batch = _events_after(after)
        seen = False
        for ident, message in batch:
            after = ident
            view = about_plan(message, plan_uuid)
            if view is not None:
                seen = True
                yield sse(view["kind"], view, ident)
        if not batch:
            yield ": idle\n\n"  # a closed connection shows up on this write
        if seen or time.monotonic() - last_tick >= TICK:
            last_tick = time.monotonic()
            plan = load_plan(plan_uuid)
            body = {"state": plan.state, **progress_body(plan_progress(plan, seconds))}
            yield sse("progress", body, after)
            if plan.state in OVER:
                yield sse("end", {"state": plan.state}, after)
                return
        if len(batch) < 500:
            time.sleep(POLL)
