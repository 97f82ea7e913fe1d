"""Whole audits through the HTTP API on the real cloud: the API and a worker log in to it
through Keystone with the password in clouds.yaml (entry ``watcher``), build the model from
Nova and Placement, plan, and apply the plan to real Nova.
"""

from __future__ import annotations

from tests.realcloud.actions import assert_settled
from tests.realcloud.audits import apply_plan, audit_plan


def test_data_model_endpoint_matches_nova_and_placement(client, clean_cloud):
    view = clean_cloud
    running = view.create_server("model-running", "m1.small", host="compute-1")
    stopped = view.create_server("model-stopped", "m1.medium", host="compute-3")
    view.stop_server(stopped)

    response = client.session.get(f"{client.base}/v1/data_model", timeout=120)
    assert response.status_code == 200, response.text
    rows = response.json()["context"]

    providers = view.providers()
    hypervisors = {h["hypervisor_hostname"]: h for h in view.hypervisors()}
    nodes = {row["node_hostname"]: row for row in rows}
    assert set(nodes) == set(hypervisors)
    for name, row in nodes.items():
        inventory = view.inventories(providers[name])
        assert row["node_uuid"] == hypervisors[name]["id"]
        assert (row["node_vcpus"], row["node_memory"], row["node_disk"]) == (
            inventory["VCPU"]["total"],
            inventory["MEMORY_MB"]["total"],
            inventory["DISK_GB"]["total"],
        )
        assert row["node_memory_mb_reserved"] == inventory["MEMORY_MB"]["reserved"]
        assert row["node_vcpu_ratio"] == inventory["VCPU"]["allocation_ratio"]
        assert (row["node_status"], row["node_state"]) == ("enabled", "up")
    servers = {row["server_uuid"]: row for row in rows if "server_uuid" in row}
    assert set(servers) == {running, stopped}
    for server_id, row in servers.items():
        server = view.server(server_id)
        assert row["node_hostname"] == server["OS-EXT-SRV-ATTR:host"]
        assert (row["server_vcpus"], row["server_memory"]) == (
            server["flavor"]["vcpus"],
            server["flavor"]["ram"],
        )
        assert row["server_state"] == server["OS-EXT-STS:vm_state"]
        assert row["server_project_id"] == server["tenant_id"]


def test_host_maintenance_empties_and_disables_a_host_with_running_and_stopped_servers(
    client, clean_cloud
):
    # Given compute-2 holding two running servers and a stopped one
    view = clean_cloud
    running = [view.create_server(f"hm-run-{i}", "m1.small", host="compute-2") for i in (1, 2)]
    stopped = view.create_server("hm-stopped", "m1.tiny", host="compute-2")
    view.stop_server(stopped)

    # When an audit plans its maintenance and the plan is applied
    plan, actions = audit_plan(
        client,
        {
            "goal": "cluster_maintaining",
            "strategy": "host_maintenance",
            "parameters": {"maintenance_node": "compute-2"},
        },
    )
    kinds = sorted(
        (a["action_type"], a["input_parameters"].get("migration_type", "")) for a in actions
    )
    assert kinds == [
        ("change_nova_service_state", ""),
        ("migrate", "cold"),
        ("migrate", "live"),
        ("migrate", "live"),
    ]
    apply_plan(client, plan)

    # Then Nova shows compute-2 disabled and empty, every server settled elsewhere
    service = view.services()["compute-2"]
    assert (service["status"], service["disabled_reason"]) == ("disabled", "watcher_maintaining")
    assert not [s for s in view.servers() if s["OS-EXT-SRV-ATTR:host"] == "compute-2"]
    for server in running:
        assert_settled(view, server, "!compute-2", "ACTIVE")
    assert_settled(view, stopped, "!compute-2", "SHUTOFF")
    assert view.usages(view.providers()["compute-2"])["MEMORY_MB"] == 0


def test_node_resource_consolidation_plan_applies_cleanly(client, clean_cloud):
    # Given one small server on each host
    view = clean_cloud
    servers = {
        view.create_server(f"nrc-{host}", "m1.small", host=host): host
        for host in ("compute-1", "compute-2", "compute-3")
    }

    # When node_resource_consolidation plans with Nova's scheduler choosing, and it is applied
    plan, actions = audit_plan(
        client, {"goal": "server_consolidation", "strategy": "node_resource_consolidation"}
    )
    migrations = [a for a in actions if a["action_type"] == "migrate"]
    assert migrations, actions
    done = apply_plan(client, plan)

    # Then every migrated server left its source, each server is settled on one host, and
    # the nodes the plan disabled were enabled again
    moved = {a["input_parameters"]["resource_id"] for a in done if a["action_type"] == "migrate"}
    for server, host in servers.items():
        assert_settled(view, server, f"!{host}" if server in moved else host, "ACTIVE")
    assert len({view.server(s)["OS-EXT-SRV-ATTR:host"] for s in servers}) < len(servers)
    assert {s["status"] for s in view.services().values()} == {"enabled"}
