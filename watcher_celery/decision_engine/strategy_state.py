"""What a strategy needs and whether it is there: ``GET /v1/strategies/{name}/state``.

Reference §1.3: four entries ``{type, state, mandatory, comment}`` — the datasource the strategy
would get, each metric it declares, each cluster data model it needs, and its name. Nothing is
raised: an unreachable cloud or backend is reported as "not available" with the reason in
``comment``, which is what an operator checking a deployment wants to read.
"""

from __future__ import annotations

from typing import Any

from watcher_celery.config import Settings, get_settings
from watcher_celery.errors import WatcherCeleryError
from watcher_celery.plugins import StrategyDefinition

AVAILABLE, MISSING = "available", "not available"
MODEL_NAMES = {
    "compute": "compute_model",
    "storage": "storage_model",
    "baremetal": "baremetal_model",
}


def _entry(kind: str, state: Any, mandatory: Any, comment: str = "") -> dict[str, Any]:
    return {"type": kind, "state": state, "mandatory": mandatory, "comment": comment}


def _models(strategy: StrategyDefinition, settings: Settings) -> tuple[Any, dict[str, Any]]:
    from watcher_celery.cloud.factory import get_cloud
    from watcher_celery.decision_engine.collector import collect

    models = strategy.models or (("compute",) if strategy.metrics else ())
    if not models:
        return None, _entry("CDM", [], True, "This strategy reads no cluster data")
    try:
        cloud = get_cloud(settings)
        collect(cloud, [], models)
    except WatcherCeleryError as exc:
        state = [{MODEL_NAMES[m]: MISSING} for m in models]
        return None, _entry("CDM", state, True, str(exc))
    return cloud, _entry("CDM", [{MODEL_NAMES[m]: AVAILABLE} for m in models], True)


def _datasource(
    strategy: StrategyDefinition, cloud: Any, settings: Settings
) -> tuple[dict[str, Any], dict[str, Any]]:
    from watcher_celery.datasources.manager import get_datasource

    if not strategy.metrics:
        return (
            _entry("Datasource", "Datasource is not presented for this strategy", True),
            _entry("Metrics", [], False),
        )
    try:
        backend = get_datasource(strategy.metrics, cloud, settings)
    except WatcherCeleryError as exc:
        return (
            _entry("Datasource", f"{settings.datasources or 'default'}: {MISSING}", True, str(exc)),
            _entry("Metrics", [{m: MISSING} for m in strategy.metrics], False),
        )
    served = backend.metrics()
    return (
        _entry("Datasource", f"{backend.name}: {AVAILABLE}", True),
        _entry(
            "Metrics",
            [{m: AVAILABLE if m in served else MISSING} for m in strategy.metrics],
            False,
        ),
    )


def strategy_state(
    strategy: StrategyDefinition, settings: Settings | None = None
) -> list[dict[str, Any]]:
    """The four state entries of ``strategy`` on this deployment."""
    s = settings or get_settings()
    cloud, cdm = _models(strategy, s)
    datasource, metrics = _datasource(strategy, cloud, s)
    return [datasource, metrics, cdm, _entry("Name", strategy.name, "")]
