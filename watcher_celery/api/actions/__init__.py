"""Actions: the steps of an action plan."""

from watcher_celery.api.actions.routes import blp

__all__ = ["blp"]
