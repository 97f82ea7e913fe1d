"""Prometheus with the hardware metrics too: what the built-in ``prometheus`` datasource is.

:class:`HardwarePrometheusDatasource` answers upstream's metrics exactly as
:class:`~watcher_celery.datasources.prometheus.PrometheusDatasource` does, and the thermal,
airflow, power and L3-cache metrics from the exporters' series
(:mod:`watcher_celery.datasources.hardware`, names configurable), batched the same way: one
query per metric and aggregate for all the audit's hosts or instances.
"""

from __future__ import annotations

from typing import Any

from watcher_celery.datasources.hardware import hardware_entries, hardware_queries
from watcher_celery.datasources.prometheus import PrometheusDatasource
from watcher_celery.datasources.promql import chunks


class HardwarePrometheusDatasource(PrometheusDatasource):
    def __init__(self, *args: Any, hardware_metrics: str = "", **kwargs: Any) -> None:
        """``hardware_metrics``: JSON overriding the default exporter series (may be "")."""
        super().__init__(*args, **kwargs)
        self.configure(hardware_metrics)

    def configure(self, hardware_metrics: str) -> None:
        entries = hardware_entries(hardware_metrics)
        self.hardware = hardware_queries(entries)
        # Series names per watcher metric, for the strategy state endpoint's report.
        self.native_names = {m: e["series"] for m, e in entries.items()}

    @classmethod
    def from_settings(cls, s: Any) -> HardwarePrometheusDatasource:
        datasource = super().from_settings(s)
        datasource.configure(s.prometheus_hardware_metrics)
        return datasource

    def metrics(self) -> set[str]:
        return super().metrics() | set(self.hardware)

    def query_many(self, resources, resource_type, metric, period, aggregate, granularity):
        spec = self.hardware.get(metric)
        if spec is None:
            return super().query_many(
                resources, resource_type, metric, period, aggregate, granularity
            )
        if spec.label == "host":
            hosts = self.resolve_hosts([r.hostname for r in resources])
            key_of = {r.uuid: hosts.get(r.hostname) for r in resources}
            label = self.fqdn_label
        else:
            key_of = {r.uuid: r.uuid for r in resources}
            label = self.instance_label
        wanted = sorted({k for k in key_of.values() if k is not None})
        found: dict[str, float] = {}
        if len(wanted) > self.select_all_above:
            self._ask_all(spec, label, wanted, aggregate, period, found)
        else:
            for chunk in chunks(wanted, self.max_query_bytes):
                self._ask(spec, label, chunk, aggregate, period, found)
        return {r.uuid: found[key_of[r.uuid]] for r in resources if key_of[r.uuid] in found}

    def build_query(self, resource: Any, metric: str, period: int, aggregate: str) -> str | None:
        spec = self.hardware.get(metric)
        if spec is None:
            return super().build_query(resource, metric, period, aggregate)
        if spec.label == "host":
            host = self.resolve_host(resource.hostname)
            return (
                None
                if host is None
                else spec.one(self.fqdn_label, host, aggregate, period, resource)
            )
        return spec.one(self.instance_label, resource.uuid, aggregate, period, resource)
