"""Webhooks: an external event triggers an EVENT audit."""

from watcher_celery.api.webhooks.routes import blp

__all__ = ["blp"]
