"""Batched Prometheus reads equal upstream's per-resource queries, on a real Prometheus.

The same backfilled series are read two ways: a datasource bound to the model (one query per
metric, aggregate and period for all resources) and an unbound one (one query per resource, as
upstream). Every metric, aggregate and period must give the same number, or None in both.
The series cover hosts matched by short name and by full name, a stale host, hosts and
instances without series, an instance whose CPU is clamped at 100 %, and series of resources
outside the model.
"""

from __future__ import annotations

import socket
import time

import pytest

from tests.integration.prometheus_server import PrometheusServer, openmetrics
from watcher_celery.datasources.base import AGGREGATES
from watcher_celery.datasources.prometheus import FROM_MODEL, PrometheusDatasource
from watcher_celery.datasources.promql import QUERIES
from watcher_celery.errors import DatasourceError
from watcher_celery.model import ClusterModel, ComputeNode, Instance

GIB = 1024**3
END = (int(time.time()) - 1800) // 15 * 15
START = END - 3600
STEPS = list(range(START, END + 1, 15))
PERIODS = (300, 1200, 3600)
STALE = "compute-00004.sim.local"


def _wave(k: int, low: float, high: float) -> float:
    """A value that changes from sample to sample, so min, mean and max differ."""
    return low + (high - low) * ((k * 7) % 11) / 10


def _counter(rate) -> list[tuple[float, float]]:
    total, out = 0.0, []
    for k, t in enumerate(STEPS):
        total += 15 * rate(k)
        out.append((t, total))
    return out


def _series():
    hosts = {  # fqdn -> (cpus, idle share per sample index, GiB total)
        "compute-00001.sim.local": (2, lambda k: 0.6, 64),
        "compute-00002.sim.local": (4, lambda k: _wave(k, 0.2, 0.9), 128),
        "compute-00003": (1, lambda k: _wave(k, 0.0, 0.5), 32),
        STALE: (2, lambda k: 0.5, 64),
        "compute-09999.sim.local": (2, lambda k: 0.1, 64),  # not in the model
    }
    cpu, total, available = [], [], []
    for fqdn, (cpus, idle, gib) in hosts.items():
        labels = {"fqdn": fqdn, "instance": f"{fqdn}:9100", "job": "node"}
        keep = (lambda t: t <= END - 1800) if fqdn == STALE else (lambda t: True)
        for c in range(cpus):
            samples = [(t, v + c) for t, v in _counter(idle) if keep(t)]
            cpu.append(({**labels, "cpu": str(c), "mode": "idle"}, samples))
        total.append((labels, [(t, gib * GIB) for t in STEPS if keep(t)]))
        free = [(t, _wave(k, 0.2, 0.7) * gib * GIB) for k, t in enumerate(STEPS) if keep(t)]
        available.append((labels, free))
    vm_cpu = {  # uuid -> CPU ns per second
        "vm-1": lambda k: 1e9,
        "vm-2": lambda k: 2.5e9,  # 250 % of its one vCPU: clamped at 100
        "vm-3": lambda k: _wave(k, 0.5e9, 2.5e9),
        "vm-outside": lambda k: 1e9,
    }
    vm_ram = {"vm-1": lambda k: 1500.0, "vm-3": lambda k: _wave(k, 500, 3000),
              "vm-4": lambda k: _wave(k, 100, 400), "vm-outside": lambda k: 10.0}  # fmt: skip
    return {
        "node_cpu_seconds_total": cpu,
        "node_memory_MemTotal_bytes": total,
        "node_memory_MemAvailable_bytes": available,
        "ceilometer_cpu": [({"resource": u}, _counter(r)) for u, r in vm_cpu.items()],
        "ceilometer_memory_usage": [
            ({"resource": u}, [(t, f(k)) for k, t in enumerate(STEPS)]) for u, f in vm_ram.items()
        ],
    }


def _model() -> ClusterModel:
    model = ClusterModel()
    for k, hostname in enumerate(
        ["compute-00001", "compute-00002.sim.local", "compute-00003", "compute-00004",
         "compute-00404"]
    ):  # fmt: skip
        model.add_node(ComputeNode(uuid=f"n{k}", hostname=hostname, vcpus=8, memory=65536,
                                   disk=100))  # fmt: skip
    for uuid, vcpus in (("vm-1", 2), ("vm-2", 1), ("vm-3", 3), ("vm-4", 4), ("vm-5", 8)):
        model.add_instance(Instance(uuid=uuid, name=uuid, vcpus=vcpus, memory=2048 * vcpus,
                                    disk=20, host="compute-00001"))  # fmt: skip
    return model


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    server = PrometheusServer(tmp_path_factory.mktemp("prom-batch"), openmetrics(_series()))
    yield server
    server.stop()


def _resources(model, metric):
    if metric.startswith("host_"):
        return "compute_node", list(model.nodes.values())
    return "instance", list(model.instances.values())


def _read_all(ds, model):
    values = {}
    for metric in sorted(set(QUERIES) | set(FROM_MODEL)):
        kind, resources = _resources(model, metric)
        for aggregate in AGGREGATES:
            for period in PERIODS:
                for r in resources:
                    key = (metric, aggregate, period, r.uuid)
                    values[key] = ds.statistic_aggregation(r, kind, metric, period, aggregate)
    return values


@pytest.mark.parametrize("select_all_above", [0, 2000], ids=["every-series", "regex-set"])
def test_batched_reads_equal_per_resource_reads_for_every_metric_and_aggregate(
    prometheus, select_all_above
):
    # Given the same data read one resource at a time (upstream) and all at once (bound),
    # naming the resources in a regex set or selecting every series of the metric
    model = _model()
    single = PrometheusDatasource(prometheus.url, at=END)
    batched = PrometheusDatasource(prometheus.url, at=END, select_all_above=select_all_above)
    batched.bind(model)
    # When every metric, aggregate and period is read for every resource
    expected = _read_all(single, model)
    got = _read_all(batched, model)
    # Then the values are the same, None included
    assert got == expected
    present = [v for v in got.values() if v is not None]
    assert len(present) > len(got) // 2
    assert got[("instance_cpu_usage", "mean", 300, "vm-2")] == 100.0  # clamped
    assert got[("instance_cpu_usage", "mean", 300, "vm-1")] == pytest.approx(50.0)
    assert got[("host_cpu_usage", "mean", 300, "n0")] == pytest.approx(40.0)  # by short name
    assert got[("host_ram_usage", "min", 3600, "n1")] < got[("host_ram_usage", "max", 3600, "n1")]
    for missing in ("n3", "n4"):  # stale, never reported
        assert got[("host_cpu_usage", "mean", 300, missing)] is None
    assert got[("host_cpu_usage", "mean", 3600, "n3")] is not None  # stale within the hour
    assert got[("instance_cpu_usage", "mean", 300, "vm-4")] is None  # memory only
    assert got[("instance_ram_usage", "mean", 300, "vm-5")] is None
    # And the batched reads cost one query per metric, aggregate and period (host batches
    # also rebuild the host map once, as compute-00404 is unknown), the others one per resource
    combos = len(AGGREGATES) * len(PERIODS)
    host_batches = instance_batches = 2 * combos
    assert batched.requests == 2 + 3 * host_batches + instance_batches
    assert single.requests > 2 * batched.requests


def test_label_values_are_chunked_when_they_would_not_fit_one_request(prometheus):
    model = _model()
    whole = PrometheusDatasource(prometheus.url, at=END)
    whole.bind(model)
    chunked = PrometheusDatasource(prometheus.url, at=END, max_query_bytes=1)
    chunked.bind(model)
    for ds in (whole, chunked):
        for vm in model.instances.values():
            ds.instance_metric(vm, "instance_ram_usage", 3600, "max")
    assert chunked.requests == len(model.instances)  # one uuid per request at 1 byte
    assert whole.requests == 1
    assert chunked._cache == whole._cache


MANY = [f"vm-many-{k:02d}" for k in range(40)]
DENSE = "vm-dense"  # one sample a second: more than the limited server loads for one query


def _many_series():
    ram = [({"resource": u}, [(t, 100.0 + k) for t in STEPS]) for k, u in enumerate(MANY)]
    ram.append(({"resource": DENSE}, [(t, 42.0) for t in range(END - 600, END + 1)]))
    return {"ceilometer_memory_usage": ram}


def _model_of(uuids: list[str]) -> ClusterModel:
    model = ClusterModel()
    for uuid in uuids:
        model.add_instance(Instance(uuid=uuid, name=uuid, vcpus=1, memory=512, disk=1))
    return model


@pytest.fixture(scope="module")
def limited_prometheus(tmp_path_factory):
    # An hour of one series is 241 samples; a query over 40 of them holds 39 results + 241.
    server = PrometheusServer(
        tmp_path_factory.mktemp("prom-limited"), openmetrics(_many_series()),
        flags=("--query.max-samples=260",),
    )  # fmt: skip
    yield server
    server.stop()


@pytest.mark.parametrize("select_all_above", [0, 2000], ids=["every-series", "regex-set"])
def test_a_batch_too_big_for_the_server_is_halved_until_it_fits(
    limited_prometheus, select_all_above
):
    # Given a server that loads at most 260 samples per query
    model = _model_of(MANY)
    batched = PrometheusDatasource(
        limited_prometheus.url, at=END, select_all_above=select_all_above
    )
    batched.bind(model)
    single = PrometheusDatasource(limited_prometheus.url, at=END)
    # When the memory of every instance over the hour is read
    for uuid in MANY:
        got = batched.instance_metric(model.instances[uuid], "instance_ram_usage", 3600, "max")
        # Then each value is the one a query of its own gives
        assert got == single.instance_metric(model.instances[uuid], "instance_ram_usage", 3600,
                                             "max")  # fmt: skip
    assert got == 139.0
    assert 1 < batched.requests < len(MANY) / 2
    # And a resource the server cannot answer even alone fails the read clearly
    model = _model_of([MANY[0], DENSE])
    dense = PrometheusDatasource(limited_prometheus.url, at=END)
    dense.bind(model)
    with pytest.raises(DatasourceError, match="refused a query: HTTP 422 .*too many samples"):
        dense.instance_metric(model.instances[MANY[0]], "instance_ram_usage", 3600)


def test_a_query_the_server_refuses_fails_the_read_with_its_reason(prometheus):
    model = _model()
    ds = PrometheusDatasource(prometheus.url, at=END, instance_label="not-a-label")
    ds.bind(model)
    with pytest.raises(DatasourceError, match=r"refused a query: HTTP 400 \(.*parse error"):
        ds.instance_metric(model.instances["vm-1"], "instance_cpu_usage")


def test_a_server_that_does_not_answer_in_time_fails_the_read():
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        model = _model()
        ds = PrometheusDatasource(f"http://127.0.0.1:{port}", at=END, timeout=1)
        ds.bind(model)
        with pytest.raises(DatasourceError, match="did not answer within 1 s"):
            ds.instance_metric(model.instances["vm-1"], "instance_cpu_usage")
