"""The Prometheus datasource (reference §9.2), on prometheus-api-client.

Upstream's metric names and PromQL (``datasources/promql.py``): node_exporter for hosts
(``node_cpu_seconds_total``, ``node_memory_*``), ceilometer's exporter for instances
(``ceilometer_cpu``, ``ceilometer_memory_usage``); allocated memory and root disk come from
the model's flavor. Hosts are matched by the ``fqdn_label`` value, directly or by short name
(before the first dot), resolved from active targets and from the label's values (so
backfilled data without targets resolves too); an unknown host or a missing series gives None.

An audit's resources are asked for together (:meth:`PrometheusDatasource.query_many`): one
instant query per metric and aggregate, so an audit of 200,000 instances costs a handful of
requests instead of one per resource. Up to ``select_all_above`` resources the query names
them in a regex set on their label (POSTed: no URL length limit; split into chunks only when
the values would not fit the configured body size); above it, the query selects every series
of the metric and the answer is filtered here, because Prometheus 2.42 compiles a set of
20,000 values in seconds while it reads 200,000 series in about as long as 2,500 named ones.
A query the server refuses for loading too many samples is asked again in halves.

An unreachable server, a timeout or a refused query raises
:class:`~watcher_celery.errors.DatasourceError` naming the URL, so the audit fails clearly.
"""

from __future__ import annotations

from typing import Any

import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from watcher_celery.datasources.base import Datasource
from watcher_celery.datasources.promql import QUERIES, chunks
from watcher_celery.errors import DatasourceError

METRIC_MAP = {
    "host_cpu_usage": "node_cpu_seconds_total",
    "host_ram_usage": "node_memory_MemAvailable_bytes",
    "instance_cpu_usage": "ceilometer_cpu",
    "instance_ram_usage": "ceilometer_memory_usage",
    "instance_ram_allocated": "instance.memory",
    "instance_root_disk_size": "instance.disk",
}
FROM_MODEL = {"instance_ram_allocated": "memory", "instance_root_disk_size": "disk"}
# Room for label values in one POSTed query: under the 1 MiB request body most reverse
# proxies accept by default (Prometheus itself reads form bodies up to 10 MB).
MAX_QUERY_BYTES = 900_000
# Resources above which a batched query selects every series of the metric instead of a set.
SELECT_ALL_ABOVE = 2_000
TOO_MANY_SAMPLES = "too many samples"


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
        max_query_bytes: int = MAX_QUERY_BYTES,
        select_all_above: int = SELECT_ALL_ABOVE,
    ) -> None:
        """``at``: evaluate every query at this Unix time instead of now (replays, tests).

        ``max_query_bytes``: the most label-value text one batched query carries;
        ``select_all_above``: resources above which it selects every series instead.
        """
        super().__init__()
        self.url = url.rstrip("/")
        self.fqdn_label = fqdn_label
        self.instance_label = instance_label
        self.at = at
        self.max_query_bytes = max_query_bytes
        self.select_all_above = select_all_above
        self.requests = 0  # HTTP requests sent, for benchmarks and tests
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
            max_query_bytes=s.prometheus_max_query_bytes,
            select_all_above=s.prometheus_select_all_above,
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
        """Upstream's way: one query for this one resource."""
        if metric in FROM_MODEL:
            return float(getattr(resource, FROM_MODEL[metric]))
        promql = self.build_query(resource, metric, period, aggregate)
        if promql is None:
            return None
        result = self.instant(promql)
        if not result:
            return None
        return float(result[0]["value"][1])

    def query_many(self, resources, resource_type, metric, period, aggregate, granularity):
        """Every resource's value in one query per chunk of label values (usually one)."""
        if metric in FROM_MODEL:
            return {r.uuid: float(getattr(r, FROM_MODEL[metric])) for r in resources}
        spec = QUERIES.get(metric)
        if spec is None:
            return {}
        if spec.label == "host":
            hosts = self.resolve_hosts([r.hostname for r in resources])
            key_of = {r.uuid: hosts.get(r.hostname) for r in resources}
        else:
            key_of = {r.uuid: r.uuid for r in resources}
        label = self.fqdn_label if spec.label == "host" else self.instance_label
        wanted = sorted({k for k in key_of.values() if k is not None})
        found: dict[str, float] = {}
        if len(wanted) > self.select_all_above:
            self._ask_all(spec, label, wanted, aggregate, period, found)
        else:
            for chunk in chunks(wanted, self.max_query_bytes):
                self._ask(spec, label, chunk, aggregate, period, found)
        return {
            r.uuid: spec.finish(found[key_of[r.uuid]], r)
            for r in resources
            if key_of[r.uuid] in found
        }

    def _ask_all(self, spec, label, wanted, aggregate, period, found) -> None:
        """Every series of the metric in one query; by named chunks if the server says too many."""
        try:
            result = self.instant(spec.many(label, None, aggregate, period))
        except DatasourceError as exc:
            if TOO_MANY_SAMPLES not in str(exc):
                raise
            for chunk in chunks(wanted, self.max_query_bytes):
                self._ask(spec, label, chunk, aggregate, period, found)
            return
        _collect(result, label, found)

    def _ask(self, spec, label, values, aggregate, period, found) -> None:
        """One batched query; halved and asked again while the server finds it too big."""
        try:
            result = self.instant(spec.many(label, values, aggregate, period))
        except DatasourceError as exc:
            if TOO_MANY_SAMPLES not in str(exc) or len(values) < 2:
                raise
            half = len(values) // 2
            self._ask(spec, label, values[:half], aggregate, period, found)
            self._ask(spec, label, values[half:], aggregate, period, found)
            return
        _collect(result, label, found)

    def build_query(self, resource: Any, metric: str, period: int, aggregate: str) -> str | None:
        """Upstream's PromQL for one metric of one resource; None if it cannot be named."""
        spec = QUERIES.get(metric)
        if spec is None:
            return None
        if spec.label == "host":
            host = self.resolve_host(resource.hostname)
            if host is None:
                return None
            return spec.one(self.fqdn_label, host, aggregate, period, resource)
        return spec.one(self.instance_label, resource.uuid, aggregate, period, resource)

    def instant(self, promql: str) -> list[dict]:
        """An instant query, POSTed (a long selector never meets a URL length limit)."""
        data = {"query": promql}
        if self.at is not None:
            data["time"] = str(self.at)
        session = self.client._session
        response = self._call(
            session.post,
            f"{self.url}/api/v1/query",
            data=data,
            auth=self.client.auth,
            timeout=self.client._timeout,
            verify=session.verify,
            cert=session.cert,
        )
        if response.status_code != 200:
            raise DatasourceError(
                f"Prometheus at {self.url} refused a query: HTTP {response.status_code} "
                f"({_error_text(response)})"
            )
        return response.json()["data"]["result"]

    def resolve_hosts(self, hostnames: list[str]) -> dict[str, str]:
        """:meth:`resolve_host` for many: the maps are rebuilt once if any name is unknown."""
        if self._hosts is None:
            self._hosts = self._host_map()
        if any(h not in self._hosts for h in hostnames):
            self._hosts = self._host_map()
        return {h: self._hosts[h] for h in hostnames if h in self._hosts}

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
        for value in sorted(values):  # the same short-name winner in every process
            mapping.setdefault(value.split(".", 1)[0], value)
        return mapping

    def _call(self, fn, *args, **kwargs):
        self.requests += 1
        try:
            return fn(*args, **kwargs)
        except requests.Timeout as exc:
            raise DatasourceError(
                f"Prometheus at {self.url} did not answer within {self.client._timeout} s "
                f"({type(exc).__name__})"
            ) from exc
        except requests.RequestException as exc:
            raise DatasourceError(
                f"Prometheus at {self.url} cannot be reached: {type(exc).__name__}"
            ) from exc
        except PrometheusApiClientException as exc:
            raise DatasourceError(f"Prometheus at {self.url} refused a query: {exc}") from exc


def _error_text(response: requests.Response) -> str:
    """Prometheus's own reason (its JSON ``error``), else the start of the body."""
    try:
        return str(response.json().get("error") or response.text[:200])
    except ValueError:
        return response.text[:200]


def _collect(result: list[dict], label: str, found: dict[str, float]) -> None:
    """Each label value's sample; the first when several series share it, as upstream."""
    for item in result:
        key = item["metric"].get(label)
        if key is not None:
            found.setdefault(key, float(item["value"][1]))
