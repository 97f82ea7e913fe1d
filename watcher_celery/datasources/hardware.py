"""Hardware metrics from the exporters operators run: IPMI, node_exporter hwmon, ceilometer.

Upstream's Prometheus datasource answers none of the thermal, airflow, power and L3-cache
metrics (reference §9.2). Here each is one series of an exporter, reduced per host (or per
instance) and scaled to the watcher unit:

============================  ===================================================  ========
watcher metric                default series (exporter)                             reduce
============================  ===================================================  ========
host_inlet_temp (°C)          ``ipmi_temperature_celsius{name=~"(?i).*inlet.*"}``    max
host_outlet_temp (°C)         ``ipmi_temperature_celsius{name=~"(?i).*(exhaust|      max
                              outlet).*"}`` (prometheus ipmi_exporter)
host_power (W)                ``ipmi_dcmi_power_consumption_watts`` (ipmi_exporter)  sum
host_airflow (0.1 CFM)        ``ipmi_sensor_value{name=~"(?i).*airflow.*"}`` × 10   max
instance_l3_cache_usage (B)   ``ceilometer_cpu_l3_cache`` (ceilometer, libvirt cmt)  max
============================  ===================================================  ========

Names differ between BMCs and exporters, so each entry can be replaced in
``WATCHER_PROMETHEUS_HARDWARE_METRICS`` (JSON, merged key by key over the defaults), e.g.
node_exporter's hwmon chips: ``{"host_outlet_temp": {"series": "node_hwmon_temp_celsius",
"match": "chip=\\"platform_nct6775_656\\",sensor=\\"temp2\\""}}``. Hosts are matched by the
datasource's fqdn label, instances by its instance label, as for every Prometheus metric.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from watcher_celery.datasources.promql import MetricQuery
from watcher_celery.errors import DatasourceError

DEFAULTS: dict[str, dict[str, Any]] = {
    "host_inlet_temp": {
        "series": "ipmi_temperature_celsius",
        "match": 'name=~"(?i).*inlet.*"',
        "reduce": "max",
    },
    "host_outlet_temp": {
        "series": "ipmi_temperature_celsius",
        "match": 'name=~"(?i).*(exhaust|outlet).*"',
        "reduce": "max",
    },
    "host_power": {"series": "ipmi_dcmi_power_consumption_watts", "reduce": "sum"},
    "host_airflow": {
        "series": "ipmi_sensor_value",
        "match": 'name=~"(?i).*airflow.*"',
        "reduce": "max",
        "scale": 10.0,  # CFM → upstream's 0.1 CFM
    },
    "instance_l3_cache_usage": {"series": "ceilometer_cpu_l3_cache", "reduce": "max"},
}
REDUCERS = ("max", "min", "avg", "sum")
KEYS = {"series", "match", "reduce", "scale"}


def _query(metric: str, entry: Mapping[str, Any]) -> MetricQuery:
    series, match = entry["series"], entry.get("match", "")
    reduce, scale = entry.get("reduce", "max"), float(entry.get("scale", 1.0))
    label = "instance" if metric.startswith("instance_") else "host"
    extra = f"{match}," if match else ""

    def template(selector: str, agg: str, period: int, by: str) -> str:
        promql = f"{reduce} by ({by})({agg}_over_time({series}{{{extra}{selector}}}[{period}s]))"
        return promql if scale == 1.0 else f"{promql} * {scale!r}"

    return MetricQuery(label, template, series=series)


def hardware_entries(raw: str = "") -> dict[str, dict[str, Any]]:
    """The series of each hardware metric: defaults overridden by ``raw`` (JSON, may be "")."""
    try:
        overrides = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as exc:
        raise DatasourceError(f"WATCHER_PROMETHEUS_HARDWARE_METRICS is not JSON: {exc}") from exc
    if not isinstance(overrides, dict):
        raise DatasourceError("WATCHER_PROMETHEUS_HARDWARE_METRICS must be a JSON object")
    merged = {m: dict(e) for m, e in DEFAULTS.items()}
    for metric, entry in overrides.items():
        if metric not in DEFAULTS:
            raise DatasourceError(
                f"WATCHER_PROMETHEUS_HARDWARE_METRICS names {metric!r}; known: {sorted(DEFAULTS)}"
            )
        if not isinstance(entry, dict) or set(entry) - KEYS:
            raise DatasourceError(
                f"WATCHER_PROMETHEUS_HARDWARE_METRICS[{metric!r}] takes only {sorted(KEYS)}"
            )
        merged[metric].update(entry)
        if merged[metric].get("reduce", "max") not in REDUCERS:
            raise DatasourceError(f"reduce of {metric!r} must be one of {REDUCERS}")
    return merged


def hardware_queries(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, MetricQuery]:
    return {metric: _query(metric, entry) for metric, entry in entries.items()}
