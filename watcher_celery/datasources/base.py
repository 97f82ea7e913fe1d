"""The datasource interface strategies read metrics through (reference §9.1).

A backend implements :meth:`Datasource.query` for the watcher metric names it supports; the
typed getters, the per-audit cache and the unit conventions live here once. A missing value is
``None`` (the strategy decides what that means); an unreachable backend raises
:class:`~watcher_celery.errors.DatasourceError`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from watcher_celery.errors import DatasourceError

HOST_METRICS = (
    "host_cpu_usage",  # % 0-100
    "host_ram_usage",  # KiB used
    "host_outlet_temp",  # °C
    "host_inlet_temp",  # °C
    "host_airflow",  # CFM (0.1 units)
    "host_power",  # W
)
INSTANCE_METRICS = (
    "instance_cpu_usage",  # % 0-100
    "instance_ram_usage",  # MB
    "instance_ram_allocated",  # MB
    "instance_l3_cache_usage",  # bytes
    "instance_root_disk_size",  # GB
)
METRICS = HOST_METRICS + INSTANCE_METRICS
AGGREGATES = ("mean", "min", "max", "count")


class Datasource(ABC):
    """Base of every backend. Subclasses set ``name`` and implement ``query`` and ``metrics``."""

    name = "base"

    def __init__(self) -> None:
        self._cache: dict[tuple, float | None] = {}

    # --- what a backend implements -------------------------------------------------------

    @abstractmethod
    def query(
        self,
        resource: Any,
        resource_type: str,
        metric: str,
        period: int,
        aggregate: str,
        granularity: int,
    ) -> float | None:
        """One aggregated value of ``metric`` for ``resource`` over the last ``period`` s.

        ``resource`` is a model object (``ComputeNode`` or ``Instance``); ``resource_type``
        is ``compute_node``, ``instance``, ``bare_metal`` or ``storage``.
        """

    @abstractmethod
    def metrics(self) -> set[str]:
        """The watcher metric names this backend can answer."""

    def check_availability(self) -> bool:
        return True

    def describe_unavailable(self) -> str:
        """Why :meth:`check_availability` said no, for the audit's failure message."""
        return "the backend did not answer"

    # --- shared behaviour ----------------------------------------------------------------

    def supports(self, wanted: Iterable[str]) -> bool:
        return set(wanted) <= self.metrics()

    def statistic_aggregation(
        self,
        resource: Any,
        resource_type: str,
        metric: str,
        period: int = 300,
        aggregate: str = "mean",
        granularity: int = 300,
    ) -> float | None:
        """Cached per audit: the same question is asked of the backend once."""
        key = (resource.uuid, metric, aggregate, period, granularity)
        if key not in self._cache:
            self._cache[key] = self.query(
                resource, resource_type, metric, period, aggregate, granularity
            )
        return self._cache[key]

    def inject(self, resource_uuid: str, metric: str, value: float | None, **key: Any) -> None:
        """Pre-seed the cache (tests, replays of exported clusters)."""
        cache_key = (
            resource_uuid,
            metric,
            key.get("aggregate", "mean"),
            key.get("period", 300),
            key.get("granularity", 300),
        )
        self._cache[cache_key] = value

    def host_metric(
        self, node: Any, metric: str, period: int = 300, aggregate: str = "mean", required=False
    ):
        """``required``: a missing value raises DatasourceError (the audit fails clearly)."""
        what = f"compute node {node.hostname}" if required else ""
        return self._value(node, "compute_node", what, metric, period, aggregate)

    def instance_metric(
        self, instance: Any, metric: str, period: int = 300, aggregate: str = "mean", required=False
    ):
        what = f"instance {instance.uuid}" if required else ""
        return self._value(instance, "instance", what, metric, period, aggregate)

    def _value(self, resource, resource_type, what, metric, period, aggregate):
        value = self.statistic_aggregation(resource, resource_type, metric, period, aggregate)
        if value is None and what:
            self._missing(what, metric, period)
        return value

    def _missing(self, what: str, metric: str, period: int) -> None:
        raise DatasourceError(
            f"Datasource {self.name} has no {metric} data for {what} over the last {period} s",
            metric=metric,
        )
