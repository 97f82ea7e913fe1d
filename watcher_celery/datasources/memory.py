"""An in-memory datasource: metric values set by (resource uuid, metric), for strategy tests.

Strategies are unit-tested on crafted cluster models; this backend gives them exactly the
metrics a test states, and ``None`` for everything else (as a backend with no samples would).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from watcher_celery.datasources.base import Datasource
from watcher_celery.plugins.metrics import METRICS


class MemoryDatasource(Datasource):
    """Values by ``(resource uuid, metric)``; the aggregate, period and granularity are ignored."""

    name = "memory"

    def __init__(
        self,
        values: Mapping[tuple[str, str], float] | None = None,
        served: Iterable[str] = METRICS,
    ) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], float] = dict(values or {})
        self._served = set(served)
        self.queries = 0

    def set(self, resource_uuid: str, metric: str, value: float) -> None:
        self.values[(resource_uuid, metric)] = value

    def query(
        self,
        resource: Any,
        resource_type: str,
        metric: str,
        period: int,
        aggregate: str,
        granularity: int,
    ) -> float | None:
        self.queries += 1
        return self.values.get((resource.uuid, metric))

    def metrics(self) -> set[str]:
        return set(self._served)
