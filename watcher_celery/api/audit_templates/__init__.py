"""Audit templates: a goal, an optional strategy, a scope and default parameters to reuse."""

from watcher_celery.api.audit_templates.routes import blp

__all__ = ["blp"]
