"""Action plans: written by the decision engine, started and cancelled by operators."""

from watcher_celery.api.action_plans.routes import blp

__all__ = ["blp"]
