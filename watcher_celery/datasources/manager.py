"""Choosing the datasource for a strategy (reference §9.1, "Backend choice").

``WATCHER_DATASOURCES`` is an ordered list; the first backend that serves every metric the
strategy declares is used, after checking it answers. Empty means ``simulated`` on the
simulated cloud and ``prometheus`` otherwise. Every way this can fail is a
:class:`~watcher_celery.errors.DatasourceError` whose message says what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from watcher_celery.config import Settings, get_settings
from watcher_celery.datasources.base import Datasource
from watcher_celery.errors import DatasourceError

BACKENDS = ("simulated", "prometheus")


def configured_names(settings: Settings) -> list[str]:
    raw = settings.datasources or ("simulated" if settings.cloud == "simulated" else "prometheus")
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in BACKENDS]
    if unknown:
        raise DatasourceError(
            f"Unknown datasource(s) {unknown} in WATCHER_DATASOURCES; known: {list(BACKENDS)}"
        )
    return names


def build(name: str, cloud: Any, settings: Settings) -> Datasource | None:
    """The backend called ``name``, or None when it cannot serve this configuration."""
    if name == "simulated":
        from watcher_celery.cloud.simulated import SimulatedCloud
        from watcher_celery.datasources.simulated import SimulatedDatasource

        return SimulatedDatasource(cloud) if isinstance(cloud, SimulatedCloud) else None
    from watcher_celery.datasources.prometheus import PrometheusDatasource

    if not settings.prometheus_url:
        return None
    return PrometheusDatasource.from_settings(settings)


def get_datasource(
    wanted: Iterable[str], cloud: Any = None, settings: Settings | None = None
) -> Datasource:
    """The first configured backend that serves all of ``wanted`` and is reachable."""
    s = settings or get_settings()
    wanted = sorted(set(wanted))
    names = configured_names(s)
    reasons = []
    for name in names:
        backend = build(name, cloud, s)
        if backend is None:
            reasons.append(f"{name}: not configured for this cloud")
            continue
        missing = sorted(set(wanted) - backend.metrics())
        if missing:
            reasons.append(f"{name}: does not provide {', '.join(missing)}")
            continue
        if not backend.check_availability():
            raise DatasourceError(
                f"Datasource {name} is not available: {backend.describe_unavailable()}"
            )
        return backend
    raise DatasourceError(
        f"No datasource provides the metrics {', '.join(wanted)} "
        f"({'; '.join(reasons) or 'no datasource configured'})"
    )
