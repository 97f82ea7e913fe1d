"""Checks shared by audits and audit templates: goal and strategy belong together, and
strategy parameters validate against the strategy's schema (reference §1.3, §8.6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher_celery.api.smorest import get_or_404
from watcher_celery.db import Goal, Strategy
from watcher_celery.errors import Invalid
from watcher_celery.plugins import parameters as strategy_parameters


def goal_and_strategy(
    session: Session, goal: str | Goal, strategy: str | Strategy | None
) -> tuple[Goal, Strategy | None]:
    """Look both up (UUID or name); 404 when missing, 400 when the strategy serves another goal."""
    if not isinstance(goal, Goal):
        goal = get_or_404(session, Goal, goal, "Goal")
    if strategy is not None and not isinstance(strategy, Strategy):
        strategy = get_or_404(session, Strategy, strategy, "Strategy")
    if strategy is not None and strategy.goal_id != goal.id:
        choices = session.scalars(
            select(Strategy.name).where(Strategy.goal_id == goal.id, Strategy.deleted == 0)
        ).all()
        raise Invalid(
            f"Strategy {strategy.name} does not achieve goal {goal.name}; "
            f"choose one of: {', '.join(sorted(choices)) or '(none)'}"
        )
    return goal, strategy


def parameters(strategy: Strategy | None, given: dict[str, Any] | None) -> dict[str, Any]:
    """``given`` with the strategy's defaults filled; 400 for unknown keys or wrong types."""
    if given and strategy is None:
        raise Invalid(
            "Specify parameters but no predefined strategy for audit, or no parameter spec "
            "in predefined strategy"
        )
    if strategy is None:
        return dict(given or {})
    return strategy_parameters.validate(strategy.parameters_spec, given)
