"""Strategy state: datasource, metrics and data models reported as available or not."""

from __future__ import annotations

from dataclasses import replace

from tests.support.processes import free_port
from watcher_celery.cloud.factory import reset_cloud
from watcher_celery.config import get_settings
from watcher_celery.decision_engine.strategy_state import strategy_state
from watcher_celery.plugins.registry import get_registry


def _settings(tmp_path, **values):
    reset_cloud()
    return replace(
        get_settings(),
        cloud="simulated",
        sim_path=str(tmp_path / "cloud.sqlite"),
        sim_hosts=4,
        sim_instances=10,
        **values,
    )


def test_a_metric_strategy_on_the_simulated_cloud_has_everything(tmp_path):
    state = strategy_state(get_registry().strategy("basic"), _settings(tmp_path))
    assert [e["type"] for e in state] == ["Datasource", "Metrics", "CDM", "Name"]
    assert state[0]["state"] == "simulated: available"
    assert state[1]["state"] == [{"host_cpu_usage": "available"}]
    assert state[2]["state"] == [{"compute_model": "available"}]
    assert state[3] == {"type": "Name", "state": "basic", "mandatory": "", "comment": ""}


def test_an_unreachable_prometheus_is_reported_not_available_with_the_reason(tmp_path):
    settings = _settings(
        tmp_path,
        datasources="prometheus",
        prometheus_url=f"http://127.0.0.1:{free_port()}",
        prometheus_timeout=1.0,
    )
    state = strategy_state(get_registry().strategy("workload_stabilization"), settings)
    assert state[0]["state"] == "prometheus: not available"
    assert state[0]["comment"]
    assert {v for entry in state[1]["state"] for v in entry.values()} == {"not available"}
    assert state[2]["state"] == [{"compute_model": "available"}]


def test_a_dummy_strategy_needs_no_datasource_nor_model(tmp_path):
    state = strategy_state(get_registry().strategy("dummy"), _settings(tmp_path))
    assert state[0]["state"] == "Datasource is not presented for this strategy"
    assert state[1]["state"] == [] and state[2]["state"] == []
