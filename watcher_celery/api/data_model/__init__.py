"""Data model: the scoped compute model rows, built by the decision engine on request."""

from watcher_celery.api.data_model.routes import blp

__all__ = ["blp"]
