"""The datasource interface strategies read metrics through (reference §9.1).

A backend implements :meth:`Datasource.query` for the watcher metric names it supports; the
typed getters, the per-audit cache and the unit conventions live here once. A missing value is
``None`` (the strategy decides what that means); an unreachable backend raises
:class:`~watcher_celery.errors.DatasourceError`.

Strategies ask for one resource at a time, or for many at once (:meth:`Datasource.metric_values`,
which saves the per-call cost at 200,000 instances). Once the audit's resources are known
(:meth:`Datasource.bind`, called with the scoped model), the first question about a metric
fetches it for *every* resource of that type through :meth:`Datasource.query_many` and the
rest are answered from the cache: a backend that can answer many resources in one request
(Prometheus: one PromQL query per metric and aggregate) overrides it; the default asks
:meth:`Datasource.query` once per resource, as before.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from watcher_celery.errors import DatasourceError

AGGREGATES = ("mean", "min", "max", "count")


class Datasource(ABC):
    """Base of every backend. Subclasses set ``name`` and implement ``query`` and ``metrics``."""

    name = "base"

    def __init__(self) -> None:
        # (metric, aggregate, period, granularity) -> {resource uuid: value}
        self._cache: dict[tuple, dict[str, float | None]] = {}
        self._peers: dict[str, dict[str, Any]] = {}  # resource type -> {uuid: resource}

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

    def query_many(
        self,
        resources: list[Any],
        resource_type: str,
        metric: str,
        period: int,
        aggregate: str,
        granularity: int,
    ) -> dict[str, float | None]:
        """:meth:`query` for each of ``resources`` (same type), by uuid; absent means None.

        Backends override it to answer all of them in a constant number of requests.
        """
        return {
            r.uuid: self.query(r, resource_type, metric, period, aggregate, granularity)
            for r in resources
        }

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

    def bind(self, model: Any) -> None:
        """Make the audit's nodes and instances the batch every metric is fetched for."""
        self._peers = {
            "compute_node": {n.uuid: n for n in model.nodes.values()},
            "instance": dict(model.instances),
        }

    def statistic_aggregation(
        self,
        resource: Any,
        resource_type: str,
        metric: str,
        period: int = 300,
        aggregate: str = "mean",
        granularity: int = 300,
    ) -> float | None:
        """Cached per audit: the same question is asked of the backend once.

        A resource of the bound audit is answered with all its peers of the same type (one
        :meth:`query_many`); any other resource with a :meth:`query` of its own.
        """
        values = self._cache.setdefault((metric, aggregate, period, granularity), {})
        uuid = resource.uuid
        if uuid in values:
            return values[uuid]
        peers = self._peers.get(resource_type, {})
        if uuid in peers:
            batch = peers.values()
            self.metric_values(batch, resource_type, metric, period, aggregate, granularity)
        else:
            values[uuid] = self.query(
                resource, resource_type, metric, period, aggregate, granularity
            )
        return values[uuid]

    def metric_values(
        self,
        resources: Iterable[Any],
        resource_type: str,
        metric: str,
        period: int = 300,
        aggregate: str = "mean",
        granularity: int = 300,
    ) -> Mapping[str, float | None]:
        """:meth:`statistic_aggregation` of many resources at once, as a read-only mapping
        by uuid that holds each of them: one :meth:`query_many` for those of the bound audit
        not cached yet, a :meth:`query` of its own for any other (as one at a time would).

        For a strategy reading a metric of every instance: one call, where one per instance
        costs a good part of a second at 200,000 instances.
        """
        values = self._cache.setdefault((metric, aggregate, period, granularity), {})
        peers = self._peers.get(resource_type, {})
        batch, alone = [], []
        for r in resources:
            if r.uuid not in values:
                (batch if r.uuid in peers else alone).append(r)
        if batch:
            found = self.query_many(batch, resource_type, metric, period, aggregate, granularity)
            for r in batch:
                values[r.uuid] = found.get(r.uuid)
        for r in alone:
            values[r.uuid] = self.query(r, resource_type, metric, period, aggregate, granularity)
        return MappingProxyType(values)

    def inject(self, resource_uuid: str, metric: str, value: float | None, **key: Any) -> None:
        """Pre-seed the cache (tests, replays of exported clusters)."""
        cache_key = (
            metric,
            key.get("aggregate", "mean"),
            key.get("period", 300),
            key.get("granularity", 300),
        )
        self._cache.setdefault(cache_key, {})[resource_uuid] = value

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
