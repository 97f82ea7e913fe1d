"""GET /v1/strategies/{uuid|name}/state over HTTP, answered by a real worker.

The dummy strategy declares nothing; a strategy plugin declaring metrics (installed for a
separate API and worker with their own database and queue, so the rest of the run never sees
it) is served by the simulated cloud's datasource, or by an unreachable Prometheus.
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from harness.databases import create_pg_database, drop_pg_database
from harness.processes import ROOT, free_port, start_api, start_worker
from tests.support.client import ApiClient, fault
from tests.support.openapi import check_answer
from tests.support.plugin_dist import write_strategy_plugin

pytestmark = pytest.mark.integration
PROBE_METRICS = ("host_cpu_usage", "instance_ram_usage")
CDM_ALL = [
    {"compute_model": "available"},
    {"storage_model": "available"},
    {"baremetal_model": "available"},
]


def _entries(client, ident: str) -> dict[str, dict]:
    response = client.session.get(f"{client.base}/v1/strategies/{ident}/state", timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    spec = client.get("/openapi.json").json()
    check_answer(spec, "/v1/strategies/{ident}/state", 200, body)
    assert [e["type"] for e in body] == ["Datasource", "Metrics", "CDM", "Name"]
    for entry in body:
        assert set(entry) == {"type", "state", "mandatory", "comment"}
    return {e["type"]: e for e in body}


def _stack(service_env, log_dir, tmp_path_factory, **extra):
    """An API and a worker of their own (database, queue, cloud) with the probe plugin."""
    database = f"wc_state_{uuid.uuid4().hex[:10]}"
    url = create_pg_database(database)
    plugins = write_strategy_plugin(tmp_path_factory.mktemp("plugins"), "probe", PROBE_METRICS)
    env = {
        **service_env,
        "WATCHER_DATABASE_URL": url,
        "WATCHER_TASK_QUEUE": f"state-{database}",
        "WATCHER_STATE_DIR": str(tmp_path_factory.mktemp("state")),
        "PYTHONPATH": str(plugins),
        **extra,
    }
    subprocess.run(
        [sys.executable, "-m", "watcher_celery.cli", "migrate"], env=env, cwd=ROOT, check=True
    )
    worker = start_worker(env, log_dir)
    api, base = start_api(env, log_dir)
    return database, worker, api, ApiClient(base)


@pytest.fixture(scope="module")
def probe(service_env, log_dir, tmp_path_factory):
    database, worker, api, client = _stack(service_env, log_dir, tmp_path_factory)
    yield client
    api.stop()
    worker.stop()
    drop_pg_database(database)


def test_dummy_needs_no_datasource(api, worker):
    client = ApiClient(api)
    entries = _entries(client, "dummy")
    assert entries["Datasource"] == {
        "type": "Datasource",
        "state": "Datasource is not presented for this strategy",
        "mandatory": True,
        "comment": "",
    }
    assert entries["Metrics"] == {"type": "Metrics", "state": [], "mandatory": False, "comment": ""}
    assert entries["CDM"]["state"] == CDM_ALL and entries["CDM"]["mandatory"] is True
    assert entries["Name"] == {"type": "Name", "state": "dummy", "mandatory": "", "comment": ""}


def test_by_uuid_as_by_name(api, worker):
    client = ApiClient(api)
    strategy = client.get("/v1/strategies/dummy").json()
    assert _entries(client, strategy["uuid"]) == _entries(client, "dummy")


def test_unknown_strategy_is_404(api):
    response = ApiClient(api).get("/v1/strategies/no-such-strategy/state")
    assert response.status_code == 404
    assert "no-such-strategy" in fault(response)["faultstring"]


def test_metrics_are_served_by_the_simulated_datasource(probe):
    entries = _entries(probe, "probe")
    assert entries["Datasource"]["state"] == "simulated: available"
    assert entries["Metrics"]["state"] == [{m: "available"} for m in PROBE_METRICS]
    assert entries["CDM"]["state"] == CDM_ALL
    assert entries["Name"]["state"] == "probe"


def test_an_unreachable_prometheus_is_not_available(service_env, log_dir, tmp_path_factory):
    dead = f"http://127.0.0.1:{free_port()}"
    database, worker, api, client = _stack(
        service_env,
        log_dir,
        tmp_path_factory,
        WATCHER_DATASOURCES="prometheus",
        WATCHER_PROMETHEUS_URL=dead,
        WATCHER_PROMETHEUS_TIMEOUT="1",
    )
    try:
        entries = _entries(client, "probe")
        assert entries["Datasource"]["state"] == "prometheus: not available"
        assert dead in entries["Datasource"]["comment"]
        assert entries["Metrics"]["state"] == [
            {"node_cpu_seconds_total": "not available"},
            {"ceilometer_memory_usage": "not available"},
        ]
    finally:
        api.stop()
        worker.stop()
        drop_pg_database(database)
