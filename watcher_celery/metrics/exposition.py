"""``/metrics``: every process's samples from the multiprocess directory plus the gauges read
from the database and the broker, in Prometheus' text format."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from watcher_celery.metrics.cluster import ClusterCollector
from watcher_celery.metrics.instruments import forget_dead_processes

CONTENT_TYPE = CONTENT_TYPE_LATEST


def render() -> bytes:
    forget_dead_processes()
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(ClusterCollector())
    return generate_latest(registry)
