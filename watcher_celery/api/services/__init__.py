"""Services: read-only; the worker and beat heartbeat into them (``watcher_celery.heartbeat``)."""

from watcher_celery.api.services.routes import blp

__all__ = ["blp"]
