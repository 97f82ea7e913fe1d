"""``/healthz``, ``/readyz`` and ``/metrics``: what load balancers, orchestrators and Prometheus
ask.

``/healthz`` answers 200 while the process serves requests; ``/readyz`` 200 only when the
database answers, its schema is at alembic's head and the broker accepts a connection, else
503 with the reason. Both are unauthenticated and read no table. ``/metrics`` is Prometheus'
text format; it needs credentials like the API unless ``WATCHER_METRICS_PUBLIC`` is set
(``api/auth.py``).
"""

from __future__ import annotations

from functools import cache

from alembic.script import ScriptDirectory
from flask import Blueprint, Response
from kombu import Connection
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from watcher_celery import metrics
from watcher_celery.config import get_settings
from watcher_celery.db.session import get_engine
from watcher_celery.migrate import alembic_config

blp = Blueprint("health", __name__)
TIMEOUT = 2.0


@cache
def head_revisions() -> frozenset[str]:
    """The migrations this code expects (read once: they ship with the code)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def database_problem() -> str | None:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
            # alembic's own table, read directly: MigrationContext logs at INFO on every call
            try:
                current = frozenset(
                    connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
                )
            except DBAPIError:
                current = frozenset()
    except Exception as exc:
        return f"database unreachable: {type(exc).__name__}"
    if current != head_revisions():
        return (
            f"database schema at {', '.join(sorted(current)) or 'nothing'}, "
            f"expected {', '.join(sorted(head_revisions()))}: run watcher-celery migrate"
        )
    return None


def broker_problem() -> str | None:
    try:
        with Connection(get_settings().broker_url, connect_timeout=TIMEOUT) as connection:
            connection.ensure_connection(max_retries=1, timeout=TIMEOUT)
    except Exception as exc:
        return f"broker unreachable: {type(exc).__name__}"
    return None


@blp.get("/healthz")
def healthz():
    return {"status": "ok"}


@blp.get("/readyz")
def readyz():
    problems = [p for p in (database_problem(), broker_problem()) if p]
    if problems:
        return {"status": "not ready", "reason": "; ".join(problems)}, 503
    return {"status": "ready"}


@blp.get("/metrics")
def metrics_view():
    return Response(metrics.render(), content_type=metrics.CONTENT_TYPE)
