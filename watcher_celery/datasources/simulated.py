"""Metrics of the simulated cloud, read straight from its load profiles (no server).

Values are those the series in ``cloud/sim/metrics.py`` take over the asked period, sampled
every ``granularity`` seconds up to the cloud's metrics clock, read once per datasource
(so one audit sees one instant). Each host's load is folded into a profile once per audit
(one pass over the instances), after which a host's value at any instant costs a few
operations; an instance's mean CPU over the period comes in closed form. Asking for every
resource of a 10,000-host cloud (:meth:`SimulatedDatasource.query_many`) therefore costs one
pass over its instances, not one per sample or per host.
"""

from __future__ import annotations

from typing import Any

from watcher_celery.cloud.sim import metrics as series
from watcher_celery.cloud.sim import profiles
from watcher_celery.datasources.base import Datasource
from watcher_celery.plugins.metrics import HOST_METRICS, METRICS


class SimulatedDatasource(Datasource):
    name = "simulated"

    def __init__(self, cloud: Any) -> None:
        super().__init__()
        self.cloud = cloud
        self._profiles: dict[str, profiles.HostProfile] | None = None
        self._now = 0.0
        self._instances: dict[str, Any] = {}
        self._samples: dict[tuple[int, int], profiles.Samples] = {}

    def metrics(self) -> set[str]:
        return set(METRICS)

    def query(self, resource, resource_type, metric, period, aggregate, granularity):
        found = self.query_many([resource], resource_type, metric, period, aggregate, granularity)
        return found.get(resource.uuid)

    def query_many(self, resources, resource_type, metric, period, aggregate, granularity):
        self._load()
        samples = self._samples_of(period, granularity)
        if metric in HOST_METRICS:
            return self._hosts(resources, metric, samples, aggregate)
        rows = self._instances
        known = ((r.uuid, rows[r.uuid]) for r in resources if r.uuid in rows)
        return profiles.instance_aggregates(known, metric, samples, aggregate)

    def _hosts(self, resources, metric, samples, aggregate) -> dict[str, float | None]:
        out = {}
        for resource in resources:
            profile = self._profiles.get(getattr(resource, "hostname", None))
            if profile is None:
                continue
            out[resource.uuid] = profiles.host_aggregate(profile, metric, samples, aggregate)
        return out

    def _load(self) -> None:
        if self._profiles is None:
            self._now = self.cloud.metrics_time()  # one instant for the whole audit
            hosts, rows = self.cloud.metric_rows()
            self._instances = {r["uuid"]: r for r in rows}
            self._profiles = profiles.host_profiles(hosts, rows)

    def _samples_of(self, period: int, granularity: int) -> profiles.Samples:
        key = (period, granularity)
        if key not in self._samples:
            self._samples[key] = profiles.Samples(
                series.sample_times(self._now, period, granularity)
            )
        return self._samples[key]
