"""The Prometheus datasource (reference §9.2), on prometheus-api-client.

Upstream's metric names and PromQL: node_exporter for hosts (``node_cpu_seconds_total``,
``node_memory_*``), ceilometer's exporter for instances (``ceilometer_cpu``,
``ceilometer_memory_usage``); allocated memory and root disk come from the model's flavor.
Hosts are matched by the ``fqdn_label`` value, directly or by short name (before the first
dot), resolved from active targets and from the label's values (so backfilled data without
targets resolves too); an unknown host or a missing series gives None. An unreachable server
raises :class:`~watcher_celery.errors.DatasourceError` naming the URL.
"""

from __future__ import annotations

from typing import Any

import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from watcher_celery.datasources.base import Datasource
from watcher_celery.errors import DatasourceError

METRIC_MAP = {
    "host_cpu_usage": "node_cpu_seconds_total",
    "host_ram_usage": "node_memory_MemAvailable_bytes",
    "instance_cpu_usage": "ceilometer_cpu",
    "instance_ram_usage": "ceilometer_memory_usage",
    "instance_ram_allocated": "instance.memory",
    "instance_root_disk_size": "instance.disk",
}
PROMQL_AGGREGATE = {"mean": "avg", "max": "max", "min": "min", "count": "avg"}
# Host cpu/ram queries measure idle/available: a watcher max is a Prometheus min.
INVERTED = {"max": "min", "min": "max"}


class PrometheusDatasource(Datasource):
    name = "prometheus"

    def __init__(
        self,
        url: str,
        fqdn_label: str = "fqdn",
        instance_label: str = "resource",
        username: str | None = None,
        password: str | None = None,
        cafile: str | None = None,
        certfile: str | None = None,
        keyfile: str | None = None,
        insecure: bool = False,
        timeout: float = 10.0,
        at: float | None = None,
    ) -> None:
        """``at``: evaluate every query at this Unix time instead of now (replays, tests)."""
        super().__init__()
        self.url = url.rstrip("/")
        self.fqdn_label = fqdn_label
        self.instance_label = instance_label
        self.at = at
        session = requests.Session()
        session.verify = False if insecure else (cafile or True)
        if certfile:
            session.cert = (certfile, keyfile) if keyfile else certfile
        self.client = PrometheusConnect(
            self.url,
            session=session,
            auth=(username, password or "") if username else None,
            retry=Retry(total=1, backoff_factor=0.1, status_forcelist=(502, 503, 504)),
            timeout=timeout,
        )
        self._hosts: dict[str, str] | None = None
        self._why = ""

    @classmethod
    def from_settings(cls, s: Any) -> PrometheusDatasource:
        return cls(
            s.prometheus_url,
            fqdn_label=s.prometheus_fqdn_label,
            instance_label=s.prometheus_instance_label,
            username=s.prometheus_username or None,
            password=s.prometheus_password or None,
            cafile=s.prometheus_cafile or None,
            certfile=s.prometheus_certfile or None,
            keyfile=s.prometheus_keyfile or None,
            insecure=s.prometheus_insecure,
            timeout=s.prometheus_timeout,
        )

    # --- availability --------------------------------------------------------------------

    def metrics(self) -> set[str]:
        return set(METRIC_MAP)

    def check_availability(self) -> bool:
        try:
            session = self.client._session
            response = session.get(
                f"{self.url}/api/v1/status/runtimeinfo",
                auth=self.client.auth,
                timeout=self.client._timeout,
                verify=session.verify,  # explicit: REQUESTS_CA_BUNDLE must not override it
                cert=session.cert,
            )
        except requests.RequestException as exc:
            self._why = f"Prometheus at {self.url} cannot be reached ({type(exc).__name__})"
            return False
        if response.status_code != 200:
            self._why = f"Prometheus at {self.url} answered HTTP {response.status_code}"
            return False
        return True

    def describe_unavailable(self) -> str:
        return self._why or f"Prometheus at {self.url} did not answer"

    def list_metrics(self) -> set[str]:
        return set(self._call(self.client.all_metrics))

    # --- queries -------------------------------------------------------------------------

    def query(self, resource, resource_type, metric, period, aggregate, granularity):
        if metric == "instance_ram_allocated":
            return float(resource.memory)
        if metric == "instance_root_disk_size":
            return float(resource.disk)
        promql = self.build_query(resource, metric, period, aggregate)
        if promql is None:
            return None
        params = {"time": str(self.at)} if self.at is not None else None
        result = self._call(self.client.custom_query, promql, params=params)
        if not result:
            return None
        return float(result[0]["value"][1])

    def build_query(self, resource: Any, metric: str, period: int, aggregate: str) -> str | None:
        """Upstream's PromQL for one metric of one resource; None if it cannot be named."""
        agg = PROMQL_AGGREGATE.get(aggregate, "avg")
        f, u = self.fqdn_label, self.instance_label
        if metric in ("host_cpu_usage", "host_ram_usage"):
            host = self.resolve_host(resource.hostname)
            if host is None:
                return None
            agg = PROMQL_AGGREGATE[INVERTED.get(aggregate, aggregate)]
            if metric == "host_cpu_usage":
                return (
                    f"100 - ({agg} by ({f})(rate(node_cpu_seconds_total"
                    f"{{mode='idle',{f}='{host}'}}[{period}s])) * 100)"
                )
            return (
                f"(node_memory_MemTotal_bytes{{{f}='{host}'}} - {agg}_over_time("
                f"node_memory_MemAvailable_bytes{{{f}='{host}'}}[{period}s])) / 1024"
            )
        if metric == "instance_ram_usage":
            return f"{agg}_over_time(ceilometer_memory_usage{{{u}='{resource.uuid}'}}[{period}s])"
        if metric == "instance_cpu_usage":
            vcpus = getattr(resource, "vcpus", None) or 1
            return (
                f"clamp_max(({agg} by ({u})(rate(ceilometer_cpu{{{u}='{resource.uuid}'}}"
                f"[{period}s]))/10e+8) *(100/{vcpus}), 100)"
            )
        return None

    def resolve_host(self, hostname: str) -> str | None:
        """The ``fqdn_label`` value of a node: exact, else by short name; maps rebuilt once."""
        for attempt in range(2):
            if self._hosts is None or attempt:
                self._hosts = self._host_map()
            if hostname in self._hosts:
                return self._hosts[hostname]
        return None

    def _host_map(self) -> dict[str, str]:
        values: set[str] = set()
        targets = self._call(self.client.get_targets, state="active")
        for target in targets.get("activeTargets", []):
            value = target.get("labels", {}).get(self.fqdn_label)
            if value:
                values.add(value)
        params = {"start": str(self.at - 86400), "end": str(self.at)} if self.at else None
        values.update(self._call(self.client.get_label_values, self.fqdn_label, params=params))
        mapping = {v: v for v in values}
        for value in values:
            mapping.setdefault(value.split(".", 1)[0], value)
        return mapping

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except requests.RequestException as exc:
            raise DatasourceError(
                f"Prometheus at {self.url} cannot be reached: {type(exc).__name__}"
            ) from exc
        except PrometheusApiClientException as exc:
            raise DatasourceError(f"Prometheus at {self.url} refused a query: {exc}") from exc
