"""Metrics of the simulated cloud, read straight from its load profiles (no server).

Values are those the series in ``cloud/sim/metrics.py`` take over the asked period, sampled
every ``granularity`` seconds up to the cloud's metrics clock, read once per datasource
(so one audit sees one instant). Host loads are computed for all
hosts in one pass per sample instant and kept for the audit, so asking for every host of a
10,000-host cloud costs one pass over its instances, not one per host.
"""

from __future__ import annotations

from typing import Any

from watcher_celery.cloud.sim import metrics as series
from watcher_celery.datasources.base import HOST_METRICS, METRICS, Datasource


class SimulatedDatasource(Datasource):
    name = "simulated"

    def __init__(self, cloud: Any) -> None:
        super().__init__()
        self.cloud = cloud
        self._hosts: list[tuple] | None = None
        self._now = 0.0
        self._instances: dict[str, Any] = {}
        self._host_loads: dict[float, dict[str, series.HostLoad]] = {}

    def metrics(self) -> set[str]:
        return set(METRICS)

    def query(self, resource, resource_type, metric, period, aggregate, granularity):
        self._load()
        values = []
        for t in series.sample_times(self._now, period, granularity):
            if metric in HOST_METRICS:
                load = self._loads_at(t).get(getattr(resource, "hostname", None))
                if load is None:
                    return None
                values.append(series.host_values(load)[metric])
            else:
                row = self._instances.get(resource.uuid)
                if row is None:
                    return None
                values.append(series.instance_values(row, t)[metric])
        return series.aggregate(values, aggregate)

    def _load(self) -> None:
        if self._hosts is None:
            self._now = self.cloud.metrics_time()  # one instant for the whole audit
            self._hosts, rows = self.cloud.metric_rows()
            self._instances = {r["uuid"]: r for r in rows}

    def _loads_at(self, t: float) -> dict[str, series.HostLoad]:
        if t not in self._host_loads:
            self._host_loads[t] = series.host_loads(self._hosts, self._instances.values(), t)
        return self._host_loads[t]
