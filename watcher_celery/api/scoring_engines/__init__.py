"""Scoring engines: read-only, the built-in catalogue written at start-up."""

from watcher_celery.api.scoring_engines.routes import blp

__all__ = ["blp"]
