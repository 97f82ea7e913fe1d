"""What a strategy needs and whether this deployment can give it (``/strategies/{id}/state``).

Four entries, as the reference lists them: the datasource that would serve the strategy's
metrics and whether it answers, each metric under the backend's own name with its
availability, whether each cluster data model can be collected from the cloud now, and the
strategy's name. Nothing here raises for an unavailable part: saying so is the answer.
Better than upstream: ``comment`` says why a datasource or model is not available.
"""

from __future__ import annotations

from typing import Any

from watcher_celery.config import Settings, get_settings
from watcher_celery.datasources.base import Datasource
from watcher_celery.datasources.manager import build, configured_names
from watcher_celery.decision_engine.collector import MODELS, collect
from watcher_celery.decision_engine.data_model import open_cloud
from watcher_celery.errors import WatcherCeleryError
from watcher_celery.plugins import StrategyDefinition

NO_DATASOURCE = "Datasource is not presented for this strategy"
AVAILABLE, NOT_AVAILABLE = "available", "not available"


def entry(kind: str, state: Any, mandatory: Any, comment: str = "") -> dict[str, Any]:
    return {"type": kind, "state": state, "mandatory": mandatory, "comment": comment}


def strategy_state(
    strategy: StrategyDefinition, settings: Settings | None = None
) -> list[dict[str, Any]]:
    s = settings or get_settings()
    try:
        cloud, cloud_error = open_cloud(s), ""
    except WatcherCeleryError as exc:
        cloud, cloud_error = None, str(exc)
    backend, datasource = _datasource(strategy, cloud, s)
    return [
        datasource,
        entry("Metrics", _metrics(strategy, backend), False),
        _models(cloud, cloud_error),
        entry("Name", strategy.name, ""),
    ]


def _datasource(strategy, cloud, s: Settings) -> tuple[Datasource | None, dict[str, Any]]:
    """The first configured backend serving every metric (as an audit would choose)."""
    if not strategy.metrics:
        return None, entry("Datasource", NO_DATASOURCE, True)
    try:
        names = configured_names(s)
    except WatcherCeleryError as exc:
        return None, entry("Datasource", NO_DATASOURCE, True, str(exc))
    wanted = set(strategy.metrics)
    reasons = []
    for name in names:
        backend = build(name, cloud, s)
        if backend is None:
            reasons.append(f"{name}: not configured for this cloud")
            continue
        missing = sorted(wanted - backend.metrics())
        if missing:
            reasons.append(f"{name}: does not provide {', '.join(missing)}")
            continue
        if backend.check_availability():
            return backend, entry("Datasource", f"{name}: {AVAILABLE}", True)
        why = backend.describe_unavailable()
        return backend, entry("Datasource", f"{name}: {NOT_AVAILABLE}", True, why)
    why = "; ".join(reasons) or "no datasource configured"
    return None, entry("Datasource", NO_DATASOURCE, True, why)


def _metrics(strategy, backend: Datasource | None) -> list[dict[str, str]]:
    if backend is None:
        return []
    native, present = _native_names(backend)
    out = []
    for metric in strategy.metrics:
        name = native.get(metric, metric)
        out.append({name: AVAILABLE if present(name) else NOT_AVAILABLE})
    return out


def _native_names(backend: Datasource):
    """The backend's name for each watcher metric, and a test for whether it has data."""
    from watcher_celery.datasources.prometheus import METRIC_MAP, PrometheusDatasource

    if not isinstance(backend, PrometheusDatasource):
        served = backend.metrics()
        return {}, served.__contains__
    try:
        listed = backend.list_metrics()
    except WatcherCeleryError:
        listed = set()
    # instance.memory / instance.disk are answered from the model, not queried; hardware
    # metrics are named after the exporter series configured for them.
    names = {**METRIC_MAP, **getattr(backend, "native_names", {})}
    return names, lambda name: name in listed or name.startswith("instance.")


def _models(cloud: Any, cloud_error: str) -> dict[str, Any]:
    states, reasons = [], []
    for model in MODELS:
        ok = False
        if cloud is not None:
            try:
                collect(cloud, None, (model,))
                ok = True
            except WatcherCeleryError as exc:
                reasons.append(f"{model}: {exc}")
        states.append({f"{model}_model": AVAILABLE if ok else NOT_AVAILABLE})
    return entry("CDM", states, True, cloud_error or "; ".join(reasons))
