"""Persistence: SQLAlchemy 2 models and the session factory."""

from watcher_celery.db.models import (
    Action,
    ActionDescription,
    ActionExecution,
    ActionPlan,
    Audit,
    AuditTemplate,
    Base,
    EfficacyIndicator,
    Event,
    Goal,
    OutboxMessage,
    ScoringEngine,
    Service,
    Strategy,
)
from watcher_celery.db.session import get_engine, get_sessionmaker, reset_engine, session_scope

__all__ = [
    "Action",
    "ActionDescription",
    "ActionExecution",
    "ActionPlan",
    "Audit",
    "AuditTemplate",
    "Base",
    "EfficacyIndicator",
    "Event",
    "Goal",
    "OutboxMessage",
    "ScoringEngine",
    "Service",
    "Strategy",
    "get_engine",
    "get_sessionmaker",
    "reset_engine",
    "session_scope",
]
