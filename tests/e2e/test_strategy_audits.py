"""Built-in strategies in real audits: HTTP → worker → simulated cloud → plan in the database.

The shared worker reads the simulated cloud of the run (16 hosts, 120 instances, seed 42) and
its datasource. Each plan is checked against that cloud: every migrated instance is on the
migration's source, every destination exists and is enabled, indicators match the actions.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.plan_validator import problems
from tests.support.client import ApiClient
from watcher_celery.cloud.factory import open_simulated
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.config import get_settings
from watcher_celery.decision_engine.collector import collect

pytestmark = pytest.mark.integration


@pytest.fixture()
def client(api, worker) -> ApiClient:
    return ApiClient(api)


@pytest.fixture()
def cloud(service_env):
    path = Path(service_env["WATCHER_STATE_DIR"]) / "cloud.sqlite"
    opened = []

    def get() -> SimulatedCloud:
        if not opened:  # the worker's cloud, opened (or created first) with the same settings
            opened.append(open_simulated(get_settings().model_copy(update={"sim_path": str(path)})))
        return opened[0]

    yield get
    for c in opened:
        c.close()


def _audit(client: ApiClient, body: dict) -> tuple[dict, dict, list[dict]]:
    created = client.post("/v1/audits", {"audit_type": "ONESHOT", "force": True, **body})
    assert created.status_code == 201, created.text
    uuid = created.json()["uuid"]
    audit = client.wait_state(f"/v1/audits/{uuid}", {"SUCCEEDED", "FAILED", "CANCELLED"})
    assert audit["state"] == "SUCCEEDED", audit
    plan = client.get(f"/v1/action_plans?audit_uuid={uuid}").json()["action_plans"][0]
    plan = client.get(f"/v1/action_plans/{plan['uuid']}").json()
    actions = client.get(f"/v1/actions/detail?action_plan_uuid={plan['uuid']}&limit=1000").json()
    return audit, plan, actions["actions"]


def _check_migrations(cloud: SimulatedCloud, actions: list[dict]) -> list[dict]:
    hosts = {n.hostname: n for n in cloud.compute_nodes()}
    placed = {i.uuid: i.host for i in cloud.instances()}
    migrations = [a["input_parameters"] for a in actions if a["action_type"] == "migrate"]
    for params in migrations:
        assert placed[params["resource_id"]] == params["source_node"], params
        if "destination_node" in params:
            assert hosts[params["destination_node"]].status == "enabled", params
            assert params["destination_node"] != params["source_node"]
    return migrations


def _indicators(plan: dict) -> dict:
    return {i["name"]: i["value"] for i in plan["efficacy_indicators"]}


def test_a_goal_only_consolidation_audit_runs_basic_and_releases_what_it_disables(client, cloud):
    audit, plan, actions = _audit(client, {"goal": "server_consolidation"})
    assert audit["strategy_name"] == "basic"
    migrations = _check_migrations(cloud(), actions)
    disabled = [a for a in actions if a["action_type"] == "change_nova_service_state"]
    indicators = _indicators(plan)
    assert indicators["instance_migrations_count"] == len(migrations) > 0
    assert indicators["released_compute_nodes_count"] == len(disabled) > 0
    # every released node is a source whose instances all leave
    sources = Counter(m["source_node"] for m in migrations)
    on_host = Counter(i.host for i in cloud().instances())
    for action in disabled:
        host = action["input_parameters"]["resource_name"]
        assert sources[host] == on_host[host]
    [ratio] = plan["global_efficacy"]
    assert ratio["name"] == "released_nodes_ratio" and ratio["value"] > 0


def test_vm_workload_consolidation_reads_the_simulated_metrics(client, cloud):
    audit, plan, actions = _audit(
        client, {"goal": "server_consolidation", "strategy": "vm_workload_consolidation"}
    )
    assert audit["parameters"] == {"period": 3600, "granularity": 300}
    migrations = _check_migrations(cloud(), actions)
    assert _indicators(plan)["instance_migrations_count"] == len(migrations)


def test_node_resource_consolidation_plan_is_disable_chains_enable(client, cloud):
    _, plan, actions = _audit(
        client, {"goal": "server_consolidation", "strategy": "node_resource_consolidation"}
    )
    migrations = _check_migrations(cloud(), actions)
    assert migrations and all("destination_node" not in m for m in migrations)
    by_uuid = {a["uuid"]: a for a in actions}
    disables = {
        a["uuid"]
        for a in actions
        if a["action_type"] == "change_nova_service_state"
        and a["input_parameters"]["state"] == "disabled"
    }
    for action in actions:
        if action["action_type"] == "migrate":
            parents = set(action["parents"])
            assert disables <= parents
            others = parents - disables
            assert all(
                by_uuid[p]["input_parameters"]["source_node"]
                == action["input_parameters"]["source_node"]
                for p in others
            )


def test_workload_stabilization_lowers_the_deviation(client, cloud):
    _, plan, actions = _audit(
        client,
        {
            "goal": "workload_balancing",
            "strategy": "workload_stabilization",
            "parameters": {"thresholds": {"instance_cpu_usage": 0.01}},
        },
    )
    migrations = _check_migrations(cloud(), actions)
    indicators = _indicators(plan)
    assert indicators["instance_migrations_count"] == len(migrations) > 0
    assert (
        indicators["standard_deviation_after_audit"] < indicators["standard_deviation_before_audit"]
    )
    assert all(a["parents"] == [] for a in actions)  # the planner runs them in parallel


def test_host_maintenance_empties_the_named_host(client, cloud):
    counts = Counter(i.host for i in cloud().instances())
    host, count = counts.most_common(1)[0]
    _, plan, actions = _audit(
        client,
        {
            "goal": "cluster_maintaining",
            "strategy": "host_maintenance",
            "parameters": {"maintenance_node": host},
        },
    )
    assert actions[0]["action_type"] == "change_nova_service_state"
    assert actions[0]["input_parameters"]["disabled_reason"] == "watcher_maintaining"
    moved = [a for a in actions if a["action_type"] in ("migrate", "stop")]
    assert len(moved) == count  # every instance leaves (live, or cold when not active)


# --- the strategies added with the feasibility rule: each plan replayed on the cloud ---------


def _assert_feasible(cloud: SimulatedCloud, actions: list[dict]) -> None:
    """The independent validator replays the plan on the cloud as it is now."""
    model = collect(cloud, None, ("compute", "storage", "baremetal"))
    plan = SimpleNamespace(
        actions=[
            SimpleNamespace(action_type=a["action_type"], input_parameters=a["input_parameters"])
            for a in actions
        ]
    )
    assert problems(model, plan) == []


def _strategy_audit(client, cloud, goal: str, strategy: str, parameters: dict) -> tuple:
    audit, plan, actions = _audit(
        client, {"goal": goal, "strategy": strategy, "parameters": parameters}
    )
    assert audit["strategy_name"] == strategy
    _check_migrations(cloud(), actions)
    _assert_feasible(cloud(), actions)
    return plan, actions


def test_workload_balance_brings_hosts_under_its_threshold(client, cloud):
    plan, actions = _strategy_audit(
        client, cloud, "workload_balancing", "workload_balance", {"threshold": 5.0}
    )
    indicators = _indicators(plan)
    assert indicators["instance_migrations_count"] == len(actions) > 0
    assert (
        indicators["standard_deviation_after_audit"] < indicators["standard_deviation_before_audit"]
    )


def test_outlet_temperature_moves_off_hosts_above_the_threshold(client, cloud):
    _, actions = _strategy_audit(
        client, cloud, "thermal_optimization", "outlet_temperature", {"threshold": 25.0}
    )
    sources = [a["input_parameters"]["source_node"] for a in actions]
    assert sources and len(sources) == len(set(sources))  # one instance per hot host
    destinations = [a["input_parameters"]["destination_node"] for a in actions]
    assert len(destinations) == len(set(destinations))  # one per cool host


def test_uniform_airflow_moves_off_high_airflow_hosts(client, cloud):
    _, actions = _strategy_audit(
        client, cloud, "airflow_optimization", "uniform_airflow", {"threshold_airflow": 330.0}
    )
    assert actions and {a["action_type"] for a in actions} == {"migrate"}


def test_noisy_neighbor_moves_a_growing_instance_away_from_its_victim(client, cloud):
    # Metrics at 06:00 of the cloud's daily cycle: zone az1 peaks, so beside each other some
    # instances' cache use grows while others' falls
    cloud().set_clock(1700000000 - 1700000000 % 86400 + 21600)
    try:
        _, actions = _strategy_audit(
            client,
            cloud,
            "noisy_neighbor",
            "noisy_neighbor",
            {"cache_threshold": 0.2, "period": 1800},
        )
    finally:
        cloud().set_clock(None)
    sources = [a["input_parameters"]["source_node"] for a in actions]
    assert sources and len(sources) == len(set(sources))


def test_saving_energy_powers_off_free_hosts(client, cloud):
    free = {n.hostname for n in cloud().compute_nodes()} - {i.host for i in cloud().instances()}
    _, actions = _strategy_audit(
        client,
        cloud,
        "saving_energy",
        "saving_energy",
        {"free_used_percent": 0.0, "min_free_hosts_num": 0},
    )
    off = {a["input_parameters"]["resource_name"] for a in actions}
    assert off and off <= free
    assert {a["input_parameters"]["state"] for a in actions} == {"off"}


def test_storage_capacity_balance_migrates_volumes_from_full_pools(client, cloud):
    pools = {p.name: p for p in cloud().storage_pools()}
    _, actions = _strategy_audit(
        client,
        cloud,
        "workload_balancing",
        "storage_capacity_balance",
        {"volume_threshold": 4.0},
    )
    volumes = {v.uuid: v for v in cloud().volumes()}
    assert actions
    for action in actions:
        params = action["input_parameters"]
        source = pools[volumes[params["resource_id"]].pool]
        assert (
            source.total_capacity_gb - source.free_capacity_gb
        ) >= 0.04 * source.total_capacity_gb
        assert (
            volumes[params["resource_id"]].volume_type
            in pools[params["destination_node"]].volume_types
        )


def test_zone_migration_empties_the_named_host_within_its_caps(client, cloud):
    host = Counter(i.host for i in cloud().instances()).most_common(1)[0][0]
    plan, actions = _strategy_audit(
        client,
        cloud,
        "hardware_maintenance",
        "zone_migration",
        {"compute_nodes": [{"src_node": host}], "parallel_per_node": 3},
    )
    assert 0 < len(actions) <= 3
    assert {a["input_parameters"]["source_node"] for a in actions} == {host}
    indicators = _indicators(plan)
    planned = (
        indicators["planned_live_migrate_instance_count"]
        + indicators["planned_cold_migrate_instance_count"]
    )
    assert planned == len(actions)
