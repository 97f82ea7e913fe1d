"""Reading the events table the way operators would: the state changes one object reported."""

from __future__ import annotations

from sqlalchemy import func, select

from watcher_celery.db import Event, session_scope


def last_event_id() -> int:
    """The newest event's id: read before an act, pass to :func:`state_changes` after it."""
    with session_scope() as session:
        return session.scalar(select(func.max(Event.id))) or 0


def recorded(after: int) -> list[dict]:
    """Every message written since event ``after``, oldest first."""
    with session_scope() as session:
        return [
            row.payload
            for row in session.scalars(select(Event).where(Event.id > after).order_by(Event.id))
        ]


def about(uuid: str, after: int) -> list[dict]:
    """The messages since event ``after`` whose object is ``uuid``."""
    return [m for m in recorded(after) if m["payload"]["watcher_object.data"]["uuid"] == uuid]


def state_changes(uuid: str, after: int) -> list[tuple[str, str, str]]:
    """``(event type, old state, new state)`` of each ``*.update`` about ``uuid``."""
    changes = []
    for message in about(uuid, after):
        change = message["payload"]["watcher_object.data"].get("state_update")
        if change is not None:
            changes.append((message["event_type"], change["old_state"], change["state"]))
    return changes
