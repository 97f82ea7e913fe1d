"""RECOMMENDED plans older than the expiry become SUPERSEDED: the cloud has moved on since."""

from __future__ import annotations

from datetime import timedelta

from watcher_celery.config import get_settings
from watcher_celery.db import ActionPlan, session_scope
from watcher_celery.db.models import utcnow
from watcher_celery.states import ActionPlanState, Actor, transition_where


def supersede_expired_plans() -> int:
    """Return how many plans were superseded; an expiry of 0 hours turns this off."""
    hours = get_settings().action_plan_expiry_hours
    if hours <= 0:
        return 0
    cutoff = utcnow() - timedelta(hours=hours)
    with session_scope() as session:
        return transition_where(
            session,
            ActionPlan,
            ActionPlanState.SUPERSEDED,
            Actor.SERVICE,
            ActionPlan.created_at < cutoff,
            ActionPlan.deleted == 0,
            expected=ActionPlanState.RECOMMENDED,
            status_message=f"Superseded: not started within {hours} h of being recommended.",
        )
