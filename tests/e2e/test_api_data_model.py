"""GET /v1/data_model over HTTP, answered by a real worker from the simulated cloud.

Rows are checked against what the simulated cloud's store holds (read directly, not through
the collector), unscoped and with an audit's zone and exclusion scope; then the error paths:
406 below 1.3, 404 for another model type or an unknown audit, 400 for a malformed audit
UUID, and 503 when no decision engine answers in time.
"""

from __future__ import annotations

import uuid

import pytest

from harness.processes import start_api
from tests.support.client import ApiClient, fault
from tests.support.openapi import check_answer
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.config import get_settings

pytestmark = pytest.mark.integration
LATEST = {"OpenStack-API-Version": "infra-optim latest"}
V1_3 = {"OpenStack-API-Version": "infra-optim 1.3"}


@pytest.fixture(scope="module")
def client(api, worker) -> ApiClient:
    return ApiClient(api, headers=LATEST)


@pytest.fixture(scope="module")
def cloud(client) -> SimulatedCloud:
    """The worker's simulated cloud, opened after a first answer made sure it exists."""
    assert client.get("/v1/data_model").status_code == 200
    return SimulatedCloud(get_settings().sim_path)


def _get(client, query: str = "", **kwargs):
    response = client.session.get(f"{client.base}/v1/data_model{query}", timeout=60, **kwargs)
    return response


def _expected_pairs(cloud, nodes) -> set[tuple[str, str | None]]:
    hostnames = {n.hostname: n.uuid for n in nodes}
    pairs = {(hostnames[i.host], i.uuid) for i in cloud.instances() if i.host in hostnames}
    busy = {node for node, _ in pairs}
    return pairs | {(n.uuid, None) for n in nodes if n.uuid not in busy}


def test_unscoped_rows_are_every_placement_of_the_cloud(client, cloud):
    cloud.wait_idle()  # placements compared below must not be moving
    response = _get(client)
    assert response.status_code == 200, response.text
    check_answer(client.get("/openapi.json").json(), "/v1/data_model", 200, response.json())
    rows = response.json()["context"]
    nodes = cloud.compute_nodes()
    assert {(r["node_uuid"], r.get("server_uuid")) for r in rows} == _expected_pairs(cloud, nodes)
    assert len(rows) == len(_expected_pairs(cloud, nodes))
    keys = [(r["node_uuid"], r.get("server_uuid") or "") for r in rows]
    assert keys == sorted(keys)
    by_uuid = {n.uuid: n for n in nodes}
    instances = {i.uuid: i for i in cloud.instances()}
    for row in rows:
        node = by_uuid[row["node_uuid"]]
        assert (row["node_hostname"], row["node_vcpus"], row["node_memory"]) == (
            node.hostname,
            node.vcpus,
            node.memory,
        )
        assert row["node_vcpu_ratio"] == node.vcpu_ratio
        assert row["node_status"] == node.status and row["node_state"] == node.state
        if "server_uuid" in row:
            instance = instances[row["server_uuid"]]
            assert row["server_name"] == instance.name
            assert (row["server_vcpus"], row["server_memory"], row["server_disk"]) == (
                instance.vcpus,
                instance.memory,
                instance.disk,
            )
            assert row["server_project_id"] == instance.project_id
            assert row["server_watcher_exclude"] is False
            assert "server_pinned_az" in row and "server_flavor_extra_specs" in row


def test_fields_of_1_6_are_hidden_at_1_3(client):
    rows = _get(client, headers=V1_3).json()["context"]
    placed = [r for r in rows if "server_uuid" in r]
    assert placed
    for row in placed:
        assert len(row) == 24
        assert "server_pinned_az" not in row and "server_flavor_extra_specs" not in row


def test_an_audit_scope_is_applied(client, cloud):
    nodes = [n for n in cloud.compute_nodes() if n.availability_zone == "az1"]
    assert len(nodes) >= 2
    dropped = nodes[0]
    kept = nodes[1:]
    kept_hosts = {n.hostname for n in kept}
    excluded = next(i for i in cloud.instances() if i.host in kept_hosts)
    scope = [
        {
            "compute": [
                {"availability_zones": [{"name": "az1"}]},
                {
                    "exclude": [
                        {"compute_nodes": [{"name": dropped.hostname}]},
                        {"instances": [{"uuid": excluded.uuid}]},
                    ]
                },
            ]
        }
    ]
    name = f"dm-{uuid.uuid4().hex[:8]}"
    template = client.post("/v1/audit_templates", {"name": name, "goal": "dummy", "scope": scope})
    assert template.status_code == 201, template.text
    body = {"audit_type": "EVENT", "audit_template_uuid": template.json()["uuid"], "name": name}
    audit = client.post("/v1/audits", body)
    assert audit.status_code == 201, audit.text

    cloud.wait_idle()
    response = _get(client, f"?data_model_type=compute&audit_uuid={audit.json()['uuid']}")
    assert response.status_code == 200, response.text
    rows = response.json()["context"]
    assert {(r["node_uuid"], r.get("server_uuid")) for r in rows} == _expected_pairs(cloud, kept)
    assert {r["node_hostname"] for r in rows} == kept_hosts
    flagged = {r["server_uuid"] for r in rows if r.get("server_watcher_exclude")}
    assert flagged == {excluded.uuid}


def test_before_1_3_the_data_model_is_not_acceptable(client):
    for version in ("1.0", "1.2"):
        response = _get(client, headers={"OpenStack-API-Version": f"infra-optim {version}"})
        assert response.status_code == 406
        assert "1.3" in fault(response)["faultstring"]


def test_only_the_compute_model_exists(client):
    for kind in ("storage", "baremetal", "nonsense"):
        response = _get(client, f"?data_model_type={kind}")
        assert response.status_code == 404
        assert kind in fault(response)["faultstring"]


def test_unknown_audit_is_404_and_malformed_one_400(client):
    missing = str(uuid.uuid4())
    response = _get(client, f"?audit_uuid={missing}")
    assert response.status_code == 404 and missing in fault(response)["faultstring"]
    response = _get(client, "?audit_uuid=not-a-uuid")
    assert response.status_code == 400 and "audit_uuid" in fault(response)["faultstring"]


def test_no_decision_engine_answering_is_503(service_env, log_dir, client):
    env = {
        **service_env,
        "WATCHER_TASK_QUEUE": f"nobody-listens-{uuid.uuid4().hex[:8]}",
        "WATCHER_DE_ANSWER_TIMEOUT": "1",
    }
    lonely, base = start_api(env, log_dir)
    try:
        response = ApiClient(base, headers=LATEST).get("/v1/data_model")
        assert response.status_code == 503
        assert "within 1 s" in fault(response)["faultstring"]
        spec = ApiClient(base).get("/openapi.json").json()
        check_answer(spec, "/v1/data_model", 503, response.json())
        response = ApiClient(base, headers=LATEST).get("/v1/strategies/dummy/state")
        assert response.status_code == 503
    finally:
        lonely.stop()


def test_python_watcherclient_reads_the_data_model_and_strategy_state(api, worker, cloud):
    from watcherclient.v1.client import Client

    watcher = Client(endpoint=api, os_infra_optim_api_version="1.7")
    cloud.wait_idle()
    model = watcher.data_model.list(data_model_type="compute")
    rows = model.to_dict()["context"]
    nodes = cloud.compute_nodes()
    assert {(r["node_uuid"], r.get("server_uuid")) for r in rows} == _expected_pairs(cloud, nodes)
    state = {e.type: e.state for e in watcher.strategy.state("dummy")}
    assert state["Name"] == "dummy"
    assert state["Datasource"] == "Datasource is not presented for this strategy"
