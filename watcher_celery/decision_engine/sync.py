"""Write installed goals, strategies and action descriptions into the database.

Run at start-up by every service (API and worker): the API validates audits against these rows
and the rows carry the UUIDs clients see. Rows of plugins that are no longer installed are
soft-deleted. Concurrent start-ups may race; the loser retries once and finds the rows there.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from watcher_celery.db import ActionDescription, Goal, Strategy, session_scope
from watcher_celery.decision_engine.efficacy import specification
from watcher_celery.plugins.registry import Registry, get_registry


def _live(session: Session, model: type, key: str = "name") -> dict:
    rows = session.scalars(select(model).where(model.deleted == 0)).all()
    return {getattr(row, key): row for row in rows}


def _sync(session: Session, registry: Registry) -> None:
    goals = _live(session, Goal)
    for name, goal in registry.goals.items():
        row = goals.get(name) or Goal(name=name)
        row.display_name = goal.display_name
        row.efficacy_specification = specification(goal)
        session.add(row)
        goals[name] = row
    for name, row in goals.items():
        if name not in registry.goals:
            row.soft_delete()
    session.flush()

    strategies = _live(session, Strategy)
    for name, strategy in registry.strategies.items():
        row = strategies.get(name) or Strategy(name=name)
        row.display_name = strategy.display_name
        row.goal_id = goals[strategy.goal].id
        row.parameters_spec = dict(strategy.parameters_schema)
        session.add(row)
    for name, row in strategies.items():
        if name not in registry.strategies:
            row.soft_delete()

    descriptions = _live(session, ActionDescription, "action_type")
    for name, action in registry.actions.items():
        row = descriptions.get(name) or ActionDescription(action_type=name)
        row.description = action.description
        session.add(row)


def sync_plugins() -> None:
    """Bring goals, strategies and action descriptions in line with the installed plugins."""
    registry = get_registry()
    for attempt in range(2):
        try:
            with session_scope() as session:
                _sync(session, registry)
            return
        except IntegrityError:
            if attempt:
                raise
