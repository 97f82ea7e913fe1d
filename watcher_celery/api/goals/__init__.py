"""Goals: read-only, written by the plugin sync at start-up."""

from watcher_celery.api.goals.routes import blp

__all__ = ["blp"]
