"""Audits: created by operators, run by the decision engine."""

from watcher_celery.api.audits.routes import blp

__all__ = ["blp"]
