"""The built-in datasources, registered through the plugin entry-point group like any other."""

from __future__ import annotations

from typing import Any

from watcher_celery.plugins import DatasourceDefinition, hookimpl


def _simulated(cloud: Any, _settings: Any):
    from watcher_celery.cloud.simulated import SimulatedCloud
    from watcher_celery.datasources.simulated import SimulatedDatasource

    return SimulatedDatasource(cloud) if isinstance(cloud, SimulatedCloud) else None


def _prometheus(_cloud: Any, settings: Any):
    from watcher_celery.datasources.prometheus_hardware import HardwarePrometheusDatasource

    if not settings.prometheus_url:
        return None
    return HardwarePrometheusDatasource.from_settings(settings)


@hookimpl
def watcher_datasources() -> list[DatasourceDefinition]:
    return [
        DatasourceDefinition("simulated", _simulated, "Series of the simulated cloud"),
        DatasourceDefinition(
            "prometheus", _prometheus, "Prometheus (node_exporter, ceilometer, IPMI exporter)"
        ),
    ]
