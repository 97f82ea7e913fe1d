"""Prometheus scraping the emulator's /metrics gives back the simulated cloud's metrics."""

from __future__ import annotations

import pytest
import requests

from harness.processes import wait_for
from tests.integration.prometheus_server import PrometheusServer
from watcher_celery.cloud.emulator import serve
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.datasources.prometheus_hardware import HardwarePrometheusDatasource
from watcher_celery.datasources.simulated import SimulatedDatasource
from watcher_celery.decision_engine.collector import collect


@pytest.fixture(scope="module")
def scraped(tmp_path_factory):
    sim = SimulatedCloud.create(
        tmp_path_factory.mktemp("sim") / "cloud.sqlite", seed=3, hosts=4, instances=16
    )
    sim.set_clock(1_700_000_000)  # constant load: rates are exact
    server, url = serve(sim)
    prom = PrometheusServer(tmp_path_factory.mktemp("prom"), scrape=url.split("//")[1])
    ds = HardwarePrometheusDatasource(prom.url)

    def enough_samples():
        result = ds.client.custom_query("count_over_time(node_cpu_seconds_total[15s])")
        # At least 13 samples in 15 s: the 10 s query windows are full.
        return result and min(float(r["value"][1]) for r in result) >= 13

    wait_for(enough_samples, 60, "15 s of scrapes of the emulator", interval=0.5)
    yield sim, ds
    prom.stop()
    server.shutdown()


def test_scraped_host_and_instance_metrics_match_the_simulation(scraped):
    sim, prom = scraped
    model = collect(sim, [])
    expected = SimulatedDatasource(sim)
    for node in model.nodes.values():
        got = prom.host_metric(node, "host_cpu_usage", period=10)
        assert got == pytest.approx(expected.host_metric(node, "host_cpu_usage"), abs=1.5)
        ram = prom.host_metric(node, "host_ram_usage", period=10)
        assert ram == pytest.approx(expected.host_metric(node, "host_ram_usage"), rel=1e-6)
    busy = [i for i in model.instances.values() if i.state == "active"][:5]
    for inst in busy:
        cpu = prom.instance_metric(inst, "instance_cpu_usage", period=10)
        assert cpu == pytest.approx(expected.instance_metric(inst, "instance_cpu_usage"), abs=1.5)
        ram = prom.instance_metric(inst, "instance_ram_usage", period=10)
        assert ram == pytest.approx(expected.instance_metric(inst, "instance_ram_usage"))


def test_metrics_endpoint_needs_no_token_and_names_hosts_by_fqdn(scraped):
    sim, prom = scraped
    host = sim.compute_nodes()[0].hostname
    assert prom.resolve_host(host) == f"{host}.sim.local"
    targets = requests.get(f"{prom.url}/api/v1/targets", timeout=5).json()["data"]
    assert targets["activeTargets"][0]["health"] == "up"  # /metrics answered without a token


def test_scraped_hardware_metrics_match_the_simulation(scraped):
    # The IPMI exporter's and ceilometer's series, read with the default names
    sim, prom = scraped
    model = collect(sim, [])
    expected = SimulatedDatasource(sim)
    for node in model.nodes.values():
        for metric in ("host_inlet_temp", "host_outlet_temp", "host_power", "host_airflow"):
            got = prom.host_metric(node, metric, period=10)
            assert got == pytest.approx(expected.host_metric(node, metric), rel=1e-6), metric
    for inst in list(model.instances.values())[:5]:
        got = prom.instance_metric(inst, "instance_l3_cache_usage", period=10)
        want = expected.instance_metric(inst, "instance_l3_cache_usage")
        assert got == pytest.approx(want, rel=1e-6, abs=1e-6)
