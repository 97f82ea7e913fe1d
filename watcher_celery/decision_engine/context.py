"""Building what a strategy reads: the scoped cluster model and the datasource.

``run_audit`` step 3 calls :func:`build_context`. Strategies that declare no models nor
metrics (the dummies) get none; the others get a fresh model collected from the configured
cloud adapter with the audit scope applied (``models`` defaults to compute when only metrics
are declared), and the first datasource that serves all their metrics, bound to that model so
each metric is read for all its resources at once. A cloud or datasource
that cannot be reached raises an error whose message ends up on the FAILED audit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from watcher_celery.cloud.factory import get_cloud
from watcher_celery.datasources.manager import get_datasource
from watcher_celery.db import Action, ActionPlan, session_scope
from watcher_celery.decision_engine.collector import collect
from watcher_celery.errors import CloudError, WatcherCeleryError
from watcher_celery.plugins import StrategyContext, StrategyDefinition
from watcher_celery.states import ActionState, AuditType


def build_context(
    audit: Any, strategy: StrategyDefinition, parameters: dict[str, Any]
) -> StrategyContext:
    model = metrics = None
    if strategy.models or strategy.metrics:
        try:
            cloud = get_cloud()
        except WatcherCeleryError:
            raise
        except Exception as exc:
            raise CloudError(f"The cloud cannot be reached: {type(exc).__name__}: {exc}") from exc
        model = collect(cloud, getattr(audit, "scope", None), strategy.models or ("compute",))
        if strategy.metrics:
            metrics = get_datasource(strategy.metrics, cloud)
            metrics.bind(model)  # a metric is then fetched for every resource at once
    return StrategyContext(
        parameters=parameters,
        model=model,
        metrics=metrics,
        audit_uuid=audit.uuid,
        audit_type=audit.audit_type,
        failed_migration_sources=failed_migration_sources(audit),
    )


def failed_migration_sources(audit: Any) -> frozenset[str]:
    """Source hosts of migrations that FAILED in earlier plans of a CONTINUOUS audit."""
    if audit.audit_type != AuditType.CONTINUOUS or getattr(audit, "id", None) is None:
        return frozenset()
    with session_scope() as session:
        rows = session.scalars(
            select(Action.input_parameters)
            .join(ActionPlan, Action.action_plan_id == ActionPlan.id)
            .where(
                ActionPlan.audit_id == audit.id,
                Action.action_type == "migrate",
                Action.state == ActionState.FAILED,
            )
        )
        return frozenset(p["source_node"] for p in rows if p and p.get("source_node"))
