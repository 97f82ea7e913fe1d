"""solver_consolidation in a real audit: HTTP → worker → plan → applier → the simulated cloud.

A worker and an API of their own, on a simulated cloud of their own (seed 42, 16 hosts, 120
instances; operations take 0.05 s of simulated time), so applying the plan changes no cloud
another test reads. The plan is checked against the cloud before it runs (every migration's
source is where its instance is, destinations are enabled, the indicators match the actions)
and after (every host the plan reports released holds no instance and is disabled).
"""

from __future__ import annotations

from collections import Counter

import pytest

from harness.processes import start_api, start_worker
from tests.support.client import ApiClient
from watcher_celery.cloud.simulated import SimulatedCloud

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def solver_env(service_env, tmp_path_factory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("solver-cloud") / "cloud.sqlite"
    SimulatedCloud.create(path, seed=42, hosts=16, instances=120, op_seconds=0.05).close()
    return {
        **service_env,
        "WATCHER_TASK_QUEUE": service_env["WATCHER_TASK_QUEUE"] + "-solver",
        "WATCHER_CLOUD": "simulated",
        "WATCHER_SIM_PATH": str(path),
        "WATCHER_ACTION_POLL_INTERVAL": "0.1",
    }


@pytest.fixture(scope="module")
def client(solver_env, log_dir):
    worker = start_worker(solver_env, log_dir)
    api, base = start_api(solver_env, log_dir)
    yield ApiClient(base)
    api.stop()
    worker.stop()


@pytest.fixture()
def cloud(solver_env):
    opened = SimulatedCloud(solver_env["WATCHER_SIM_PATH"])
    yield opened
    opened.close()


def test_a_solver_plan_applied_leaves_the_reported_hosts_empty(client, cloud):
    # Given the cloud as the audit sees it
    placed = {i.uuid: i.host for i in cloud.instances()}
    enabled = {n.hostname for n in cloud.compute_nodes() if n.status == "enabled"}
    # When an operator audits with the solver strategy
    created = client.post(
        "/v1/audits",
        {
            "audit_type": "ONESHOT",
            "goal": "server_consolidation",
            "strategy": "solver_consolidation",
            "parameters": {"time_budget": 20},
        },
    )
    assert created.status_code == 201, created.text
    audit = client.wait_state(f"/v1/audits/{created.json()['uuid']}", {"SUCCEEDED", "FAILED"})
    assert audit["state"] == "SUCCEEDED", audit
    assert audit["parameters"]["time_budget"] == 20 and audit["parameters"]["live_only"] is False
    plan = client.get(f"/v1/action_plans?audit_uuid={audit['uuid']}").json()["action_plans"][0]
    plan = client.get(f"/v1/action_plans/{plan['uuid']}").json()
    actions = client.get(f"/v1/actions/detail?action_plan_uuid={plan['uuid']}&limit=1000").json()
    actions = actions["actions"]
    indicators = {i["name"]: i["value"] for i in plan["efficacy_indicators"]}
    # Then the plan matches the cloud and reports a bound, a gap and the bytes to copy
    migrations = [a["input_parameters"] for a in actions if a["action_type"] == "migrate"]
    disabled = [
        a["input_parameters"]["resource_name"]
        for a in actions
        if a["action_type"] == "change_nova_service_state"
    ]
    assert migrations and indicators["instance_migrations_count"] == len(migrations)
    for params in migrations:
        assert placed[params["resource_id"]] == params["source_node"]
        assert params["destination_node"] in enabled
    released = indicators["released_compute_nodes_count"]
    assert released == len(disabled) > 0
    assert indicators["released_compute_nodes_bound"] >= released
    bound = indicators["released_compute_nodes_bound"]
    assert indicators["released_compute_nodes_bound_uncapped"] >= bound
    assert indicators["released_compute_nodes_gap"] == pytest.approx(
        100 * (bound - released) / bound, abs=0.01
    )
    assert indicators["instance_migrations_bytes"] > 0
    sources = Counter(m["source_node"] for m in migrations)
    on_host = Counter(placed.values())
    assert all(sources[h] == on_host[h] for h in disabled)

    # When the operator applies the plan
    started = client.post(f"/v1/action_plans/{plan['uuid']}/start")
    assert started.status_code == 200, started.text
    done = client.wait_state(
        f"/v1/action_plans/{plan['uuid']}", {"SUCCEEDED", "FAILED", "CANCELLED"}, timeout=240
    )
    # Then every migration landed and the released hosts are empty and disabled
    assert done["state"] == "SUCCEEDED", done
    cloud.wait_idle()
    now = {i.uuid: i.host for i in cloud.instances()}
    for params in migrations:
        assert now[params["resource_id"]] == params["destination_node"]
    hosts = {n.hostname: n for n in cloud.compute_nodes()}
    for host in disabled:
        assert host not in now.values(), host
        assert hosts[host].status == "disabled"
