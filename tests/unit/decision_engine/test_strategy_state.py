"""A strategy's ``/state`` entries computed against a real simulated cloud and datasources."""

from __future__ import annotations

import pytest

from harness.processes import free_port
from watcher_celery.config import Settings
from watcher_celery.decision_engine.strategy_state import NO_DATASOURCE, strategy_state
from watcher_celery.plugins import Solution, StrategyDefinition

CDM_ALL = [
    {"compute_model": "available"},
    {"storage_model": "available"},
    {"baremetal_model": "available"},
]


def _strategy(*metrics: str) -> StrategyDefinition:
    return StrategyDefinition(
        name="probe",
        display_name="Probe",
        goal="dummy",
        execute=lambda context: Solution(),
        models=("compute",),
        metrics=metrics,
    )


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    path = tmp_path_factory.mktemp("cloud") / "cloud.sqlite"
    base = Settings.from_env()
    return base.model_copy(
        update=dict(
            cloud="simulated", sim_path=str(path), sim_hosts=4, sim_instances=12, datasources=""
        )
    )


def _by_type(entries):
    assert [e["type"] for e in entries] == ["Datasource", "Metrics", "CDM", "Name"]
    return {e["type"]: e for e in entries}


def test_simulated_datasource_serves_every_metric(settings):
    entries = _by_type(strategy_state(_strategy("host_cpu_usage", "host_outlet_temp"), settings))
    assert entries["Datasource"]["state"] == "simulated: available"
    assert entries["Metrics"]["state"] == [
        {"host_cpu_usage": "available"},
        {"host_outlet_temp": "available"},
    ]
    assert entries["CDM"] == {"type": "CDM", "state": CDM_ALL, "mandatory": True, "comment": ""}
    assert entries["Name"]["state"] == "probe"


def test_prometheus_without_the_metric_is_no_datasource(settings):
    # Prometheus does not map outlet temperature (reference §9.2), and has no URL here.
    s = settings.model_copy(update=dict(datasources="prometheus", prometheus_url=""))
    entries = _by_type(strategy_state(_strategy("host_outlet_temp"), s))
    assert entries["Datasource"]["state"] == NO_DATASOURCE
    assert "prometheus: not configured" in entries["Datasource"]["comment"]
    assert entries["Metrics"]["state"] == []


def test_prometheus_that_does_not_answer_is_not_available(settings):
    dead = f"http://127.0.0.1:{free_port()}"
    s = settings.model_copy(
        update=dict(datasources="prometheus", prometheus_url=dead, prometheus_timeout=1.0)
    )
    entries = _by_type(strategy_state(_strategy("host_cpu_usage", "instance_ram_allocated"), s))
    assert entries["Datasource"]["state"] == "prometheus: not available"
    assert dead in entries["Datasource"]["comment"]
    # instance.memory is answered from the model, so it does not need the server.
    assert entries["Metrics"]["state"] == [
        {"node_cpu_seconds_total": "not available"},
        {"instance.memory": "available"},
    ]


def test_an_unknown_datasource_name_is_reported_not_raised(settings):
    s = settings.model_copy(update=dict(datasources="gnocchi"))
    entries = _by_type(strategy_state(_strategy("host_cpu_usage"), s))
    assert entries["Datasource"]["state"] == NO_DATASOURCE
    assert "gnocchi" in entries["Datasource"]["comment"]


def test_a_cloud_that_cannot_be_opened_has_no_model(settings, tmp_path):
    s = settings.model_copy(update=dict(cloud="nowhere"))
    entries = _by_type(strategy_state(_strategy(), s))
    assert entries["CDM"]["state"] == [
        {f"{m}_model": "not available"} for m in ("compute", "storage", "baremetal")
    ]
    assert "nowhere" in entries["CDM"]["comment"]
    assert (
        entries["Datasource"]["state"] == NO_DATASOURCE and entries["Datasource"]["comment"] == ""
    )
