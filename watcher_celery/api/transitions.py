"""Operator state changes that upstream answers with "Couldn't <verb> when state is 'X'"."""

from __future__ import annotations

from sqlalchemy.orm import Session

from watcher_celery.errors import IllegalTransition, Invalid
from watcher_celery.states import Actor, transition


def move_or_400(
    session: Session, row, to_state: str, verb: str, expected: str | None = None
) -> None:
    """Move ``row`` through states.py as the operator; 400 naming the state it was in."""
    try:
        transition(
            session,
            type(row),
            row.uuid,
            to_state,
            Actor.OPERATOR,
            expected=expected or row.state,
        )
    except IllegalTransition:
        raise Invalid(f"Couldn't {verb} when state is '{row.state}'.") from None
