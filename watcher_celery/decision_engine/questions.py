"""Answers to the questions the API asks the decision engine and waits for.

Each returns ``{"value": ...}`` or ``{"error": message}``: errors travel as plain JSON so the
API can answer with the decision engine's own message, whatever exception class raised it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from watcher_celery.db import Audit, session_scope
from watcher_celery.decision_engine.collector import collect
from watcher_celery.decision_engine.data_model import build_rows, open_cloud
from watcher_celery.decision_engine.strategy_state import strategy_state
from watcher_celery.errors import NotFound, WatcherCeleryError
from watcher_celery.forecast.loads import host_loads, host_table, instance_sizes, size_table
from watcher_celery.plugins.registry import get_registry


def answer(compute: Callable[[], Any]) -> dict[str, Any]:
    try:
        return {"value": compute()}
    except WatcherCeleryError as exc:
        return {"error": str(exc)}


def _audit_scope(audit_uuid: str) -> list[Any]:
    with session_scope() as session:
        audit = session.scalars(
            select(Audit).where(Audit.uuid == audit_uuid, Audit.deleted == 0)
        ).first()
        if audit is None:
            raise NotFound("Audit", audit_uuid)
        return list(audit.scope or [])


def data_model_rows(audit_uuid: str | None) -> dict[str, Any]:
    return answer(lambda: build_rows(_audit_scope(audit_uuid) if audit_uuid else None))


def strategy_state_entries(strategy_name: str) -> dict[str, Any]:
    return answer(lambda: strategy_state(get_registry().strategy(strategy_name)))


def _loads(instance_uuids: list[str]) -> dict[str, Any]:
    model = collect(open_cloud(), None, ("compute",))
    return {
        "hosts": host_table(host_loads(model)),
        "instances": size_table(instance_sizes(model, instance_uuids)),
    }


def cluster_loads(instance_uuids: list[str]) -> dict[str, Any]:
    """Every host's load and the sizes of ``instance_uuids`` (the dashboard's heat map)."""
    return answer(lambda: _loads(list(instance_uuids or [])))
