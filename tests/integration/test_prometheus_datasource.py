"""The Prometheus datasource against a real Prometheus fed with known series."""

from __future__ import annotations

import time
import warnings

import pytest

from harness.processes import free_port
from tests.integration.prometheus_server import PrometheusServer, openmetrics
from watcher_celery.datasources.prometheus import PrometheusDatasource
from watcher_celery.errors import DatasourceError
from watcher_celery.model import ComputeNode, Instance

GIB = 1024**3
END = (int(time.time()) - 1800) // 15 * 15  # recent enough to stay within retention
START = END - 3600
STEPS = range(START, END + 1, 15)
FQDN = "compute-00001.sim.local"
VM = "6f1d4c2e-0000-4000-8000-000000000001"
NODE = ComputeNode(uuid="n1", hostname="compute-00001", vcpus=2, memory=65536, disk=100)
OTHER = ComputeNode(uuid="n2", hostname="compute-00404", vcpus=2, memory=65536, disk=100)
VM_MODEL = Instance(uuid=VM, name="vm", vcpus=2, memory=2048, disk=20, host="compute-00001")


def _series():
    def host(**labels):
        return {"fqdn": FQDN, "instance": f"{FQDN}:9100", **labels}

    half = START + 1800
    return {
        # Two CPUs idle 70 % and 50 % of the time: the host is 40 % busy.
        "node_cpu_seconds_total": [
            (host(cpu=str(c), mode="idle"), [(t, idle * (t - START)) for t in STEPS])
            for c, idle in ((0, 0.7), (1, 0.5))
        ],
        "node_memory_MemTotal_bytes": [(host(), [(t, 64 * GIB) for t in STEPS])],
        # 40 GiB available in the first half hour, 24 GiB after.
        "node_memory_MemAvailable_bytes": [
            (host(), [(t, (40 if t < half else 24) * GIB) for t in STEPS])
        ],
        # One CPU-second per second in nanoseconds on 2 vCPUs: 50 %.
        "ceilometer_cpu": [({"resource": VM}, [(t, 1e9 * (t - START)) for t in STEPS])],
        "ceilometer_memory_usage": [({"resource": VM}, [(t, 1500.0) for t in STEPS])],
    }


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    server = PrometheusServer(tmp_path_factory.mktemp("prom"), openmetrics(_series()))
    yield server
    server.stop()


@pytest.fixture
def ds(prometheus):
    return PrometheusDatasource(prometheus.url, at=END)


def test_host_cpu_is_resolved_by_short_name_and_matches_what_was_fed(ds):
    assert ds.resolve_host("compute-00001") == FQDN
    assert ds.host_metric(NODE, "host_cpu_usage") == pytest.approx(40.0)


def test_host_ram_aggregates_are_inverted_over_available_memory(ds):
    used_kib = ds.host_metric(NODE, "host_ram_usage")
    assert used_kib == pytest.approx(40 * GIB / 1024)
    worst = ds.host_metric(NODE, "host_ram_usage", period=3600, aggregate="max")
    best = ds.host_metric(NODE, "host_ram_usage", period=3600, aggregate="min")
    assert worst == pytest.approx(40 * GIB / 1024)
    assert best == pytest.approx(24 * GIB / 1024)


def test_instance_metrics(ds):
    assert ds.instance_metric(VM_MODEL, "instance_cpu_usage") == pytest.approx(50.0)
    assert ds.instance_metric(VM_MODEL, "instance_ram_usage") == pytest.approx(1500.0)
    assert ds.instance_metric(VM_MODEL, "instance_ram_allocated") == 2048.0
    assert ds.instance_metric(VM_MODEL, "instance_root_disk_size") == 20.0
    assert {"ceilometer_cpu", "node_cpu_seconds_total"} <= ds.list_metrics()


def test_missing_series_is_none_or_a_clear_error_when_required(ds):
    assert ds.host_metric(OTHER, "host_cpu_usage") is None
    ghost = Instance(uuid="ghost", name="g", vcpus=1, memory=512, disk=1)
    assert ds.instance_metric(ghost, "instance_ram_usage") is None
    with pytest.raises(DatasourceError, match="no host_cpu_usage data for compute node"):
        ds.host_metric(OTHER, "host_cpu_usage", required=True)


def test_unreachable_prometheus_is_a_clear_error():
    ds = PrometheusDatasource(f"http://127.0.0.1:{free_port()}", timeout=2)
    assert not ds.check_availability()
    assert "cannot be reached" in ds.describe_unavailable()
    with pytest.raises(DatasourceError, match="cannot be reached"):
        ds.host_metric(NODE, "host_cpu_usage")


@pytest.fixture(scope="module")
def secure_prometheus(tmp_path_factory):
    server = PrometheusServer(
        tmp_path_factory.mktemp("prom-secure"), openmetrics(_series()),
        users={"watcher": "s3cret"}, tls=True,
    )  # fmt: skip
    yield server
    server.stop()


def test_basic_auth_and_tls(secure_prometheus):
    url, ca = secure_prometheus.url, secure_prometheus.cafile
    ds = PrometheusDatasource(url, username="watcher", password="s3cret", cafile=ca, at=END)
    assert ds.check_availability()
    assert ds.host_metric(NODE, "host_cpu_usage") == pytest.approx(40.0)
    wrong = PrometheusDatasource(url, username="watcher", password="nope", cafile=ca, at=END)
    assert not wrong.check_availability()
    assert "answered HTTP 401" in wrong.describe_unavailable()
    untrusted = PrometheusDatasource(url, username="watcher", password="s3cret", at=END)
    assert not untrusted.check_availability()  # self-signed certificate not trusted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        insecure = PrometheusDatasource(
            url, username="watcher", password="s3cret", insecure=True, at=END
        )
        assert insecure.instance_metric(VM_MODEL, "instance_ram_usage") == pytest.approx(1500.0)


def test_audit_context_picks_the_configured_prometheus(prometheus, monkeypatch, tmp_path):
    from types import SimpleNamespace

    from watcher_celery.cloud.factory import reset_cloud
    from watcher_celery.config import reset_settings
    from watcher_celery.decision_engine.context import build_context
    from watcher_celery.plugins import Solution, StrategyDefinition

    monkeypatch.setenv("WATCHER_SIM_PATH", str(tmp_path / "cloud.sqlite"))
    monkeypatch.setenv("WATCHER_DATASOURCES", "prometheus")
    monkeypatch.setenv("WATCHER_PROMETHEUS_URL", prometheus.url)
    reset_settings()
    reset_cloud()
    try:
        strategy = StrategyDefinition(
            name="probe", display_name="Probe", goal="dummy", execute=lambda c: Solution(),
            models=("compute",), metrics=("host_cpu_usage", "instance_cpu_usage"),
        )  # fmt: skip
        audit = SimpleNamespace(uuid="a", audit_type="ONESHOT", scope=[])
        ctx = build_context(audit, strategy, {})
        assert isinstance(ctx.metrics, PrometheusDatasource)
        assert ctx.metrics.url == prometheus.url and ctx.model.nodes
        # The context's datasource is bound to the audit's model: reading every node's CPU is
        # one query (plus the host map, read once and rebuilt once for the unknown hosts)
        ctx.metrics.at = END
        sent = ctx.metrics.requests
        cpu = {
            n.hostname: ctx.metrics.host_metric(n, "host_cpu_usage")
            for n in ctx.model.nodes.values()
        }
        assert ctx.metrics.requests - sent == 1 + 2 + 2
        assert cpu.pop("compute-00001") == pytest.approx(40.0)
        assert set(cpu.values()) == {None} and len(cpu) >= 8
    finally:
        reset_settings()
        reset_cloud()
