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
from watcher_celery.plugins.registry import get_registry


def configured_names(settings: Settings) -> list[str]:
    """``WATCHER_DATASOURCES`` in order; every name must be an installed datasource plugin."""
    raw = settings.datasources or ("simulated" if settings.cloud == "simulated" else "prometheus")
    names = [n.strip() for n in raw.split(",") if n.strip()]
    known = get_registry().datasources
    unknown = [n for n in names if n not in known]
    if unknown:
        raise DatasourceError(
            f"Unknown datasource(s) {unknown} in WATCHER_DATASOURCES; known: {sorted(known)}"
        )
    return names


def build(name: str, cloud: Any, settings: Settings) -> Datasource | None:
    """The backend called ``name``, or None when it cannot serve this configuration."""
    return get_registry().datasource(name).factory(cloud, settings)


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
