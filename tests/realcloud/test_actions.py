"""Every Nova action of the applier, through a real worker, against real Nova and Placement.

Each test boots its servers where it needs them, runs a plan on the session's worker (default
polling) and checks in Nova afterwards: host, status, task_state, Placement allocations on
exactly one host, the migration records.
"""

from __future__ import annotations

import pytest

from tests.integration.applier.conftest import wait_rolled_back
from tests.realcloud.actions import assert_settled, migrate, run_plan


def migration_statuses(view, server_id) -> list[tuple[str, str]]:
    return [(m["migration_type"], m["status"]) for m in view.migrations(server_id)]


def test_live_migration_to_a_named_host(env, clean_cloud):
    server = clean_cloud.create_server("live-named", "m1.small", host="compute-1")
    made = run_plan(env, [migrate(server, "compute-1", "live", "compute-2")], "live (named)")
    assert made["state"] == "SUCCEEDED", made["actions_rows"][0].status_message
    assert_settled(clean_cloud, server, "compute-2", "ACTIVE")
    assert migration_statuses(clean_cloud, server) == [("live-migration", "completed")]


def test_live_migration_to_the_schedulers_choice(env, clean_cloud):
    server = clean_cloud.create_server("live-any", "m1.small", host="compute-2")
    made = run_plan(env, [migrate(server, "compute-2", "live")], "live (scheduler)")
    assert made["state"] == "SUCCEEDED", made["actions_rows"][0].status_message
    assert_settled(clean_cloud, server, "!compute-2", "ACTIVE")
    assert migration_statuses(clean_cloud, server) == [("live-migration", "completed")]


def test_cold_migration_to_a_named_host_is_confirmed(env, clean_cloud):
    server = clean_cloud.create_server("cold-named", "m1.small", host="compute-1")
    made = run_plan(env, [migrate(server, "compute-1", "cold", "compute-3")], "cold (named)")
    assert made["state"] == "SUCCEEDED", made["actions_rows"][0].status_message
    assert_settled(clean_cloud, server, "compute-3", "ACTIVE")
    assert migration_statuses(clean_cloud, server) == [("migration", "confirmed")]


def test_cold_migration_of_a_stopped_server_to_the_schedulers_choice(env, clean_cloud):
    server = clean_cloud.create_server("cold-any", "m1.small", host="compute-3")
    clean_cloud.stop_server(server)
    made = run_plan(env, [migrate(server, "compute-3", "cold")], "cold (scheduler, stopped)")
    assert made["state"] == "SUCCEEDED", made["actions_rows"][0].status_message
    assert_settled(clean_cloud, server, "!compute-3", "SHUTOFF")
    assert migration_statuses(clean_cloud, server) == [("migration", "confirmed")]


def test_resize_is_confirmed_with_the_new_flavor(env, clean_cloud):
    server = clean_cloud.create_server("resize", "m1.small", host="compute-2")
    step = ("resize", {"resource_id": server, "flavor": "m1.medium"}, [])
    made = run_plan(env, [step], "resize")
    assert made["state"] == "SUCCEEDED", made["actions_rows"][0].status_message
    after = assert_settled(clean_cloud, server, None, "ACTIVE")
    assert after["flavor"]["original_name"] == "m1.medium"
    assert migration_statuses(clean_cloud, server) == [("resize", "confirmed")]


def test_stop_ends_when_nova_shows_shutoff(env, clean_cloud):
    server = clean_cloud.create_server("stop", "m1.tiny", host="compute-1")
    made = run_plan(env, [("stop", {"resource_id": server}, [])], "stop")
    assert made["state"] == "SUCCEEDED", made["actions_rows"][0].status_message
    # No waiting here: the action itself waited for SHUTOFF.
    assert_settled(clean_cloud, server, "compute-1", "SHUTOFF")


def test_a_stop_rolled_back_starts_the_server_again(env, clean_cloud):
    # Given a plan stop → a migration that cannot start (its destination does not exist)
    server = clean_cloud.create_server("start", "m1.tiny", host="compute-2")
    bad = migrate(server, "compute-2", "live", "no-such-host")
    made = run_plan(env, [("stop", {"resource_id": server}, []), (*bad[:2], [0])])
    # Then the plan failed and its rollback started the stopped server: ACTIVE, same host
    assert made["state"] == "FAILED"
    wait_rolled_back(made["plan"], timeout=120)
    assert_settled(clean_cloud, server, "compute-2", "ACTIVE")


def test_nova_service_disabled_then_enabled(env, clean_cloud):
    params = {"resource_id": "compute-3", "state": "disabled", "disabled_reason": "maintenance"}
    made = run_plan(env, [("change_nova_service_state", params, [])], "service disable")
    assert made["state"] == "SUCCEEDED", made["actions_rows"][0].status_message
    service = clean_cloud.services()["compute-3"]
    assert (service["status"], service["disabled_reason"]) == ("disabled", "maintenance")

    params = {"resource_id": "compute-3", "state": "enabled"}
    made = run_plan(env, [("change_nova_service_state", params, [])], "service enable")
    assert made["state"] == "SUCCEEDED", made["actions_rows"][0].status_message
    service = clean_cloud.services()["compute-3"]
    assert (service["status"], service["disabled_reason"]) == ("enabled", None)


# Requests no host can take: no host but compute-3 has room for an m1.large (8 GB), none for an
# m1.giant (64 GB). Nova accepts a resize or cold migration (202) and fails it later in the
# conductor (migration "error"); openstacksdk live-migrates at microversion 2.30, where Nova
# still checks the destination before answering, so that one is refused at once (400).
# case: (host, (action type, parameters), migration type, what status_message must say)
LATE_FAILURES = {
    "resize to a flavor no host can take": (
        "compute-3", ("resize", {"flavor": "m1.giant"}), "resize", "ended error"),
    "cold migration to a host too small": (
        "compute-3", ("migrate", {"migration_type": "cold", "destination_node": "compute-1"}),
        "migration", "ended error"),
    "live migration to a host too small": (
        "compute-3", ("migrate", {"migration_type": "live", "destination_node": "compute-1"}),
        "live-migration", "No valid host was found"),
}  # fmt: skip


def run_late_failure(env, view, case: str) -> tuple[str, object]:
    """Boot an m1.large on the case's host and run the request Nova fails late; the server and
    the failed action."""
    host, (action_type, extra), _, _ = LATE_FAILURES[case]
    server = view.create_server(f"late-{action_type}", "m1.large", host=host)
    params = {"resource_id": server, **extra}
    if action_type == "migrate":
        params["source_node"] = host
    made = run_plan(env, [(action_type, params, [])], f"late failure: {case}")
    action = made["actions_rows"][0]
    assert (made["state"], action.state) == ("FAILED", "FAILED")
    return server, action


@pytest.mark.parametrize("case", sorted(LATE_FAILURES))
def test_a_request_nova_fails_fails_the_action_with_novas_reason_and_the_server_unmoved(
    env, clean_cloud, case
):
    server, action = run_late_failure(env, clean_cloud, case)
    host, _, migration_type, said = LATE_FAILURES[case]
    # The action says how Nova's operation ended, with Nova's own reason (the instance fault
    # or the failed instance-action event, which Nova writes after marking the migration error)
    assert said in action.status_message, action.status_message
    reasons = clean_cloud.failure_reasons(server)
    assert reasons, "Nova recorded no reason"
    assert any(reason in action.status_message for reason in reasons), (
        f"status_message {action.status_message!r} has none of Nova's reasons {reasons!r}"
    )
    # and the server is where it was, ACTIVE, with its old flavor, allocated on one host
    after = assert_settled(clean_cloud, server, host, "ACTIVE")
    assert after["flavor"]["original_name"] == "m1.large"
    assert migration_statuses(clean_cloud, server) == [(migration_type, "error")]


def test_bare_metal_node_powered_off_then_on_through_ironic(env, real_cloud):
    # compute-1's node: no server runs there (clean_cloud), so powering it off is allowed
    ironic = real_cloud.ironic
    node = ironic.node("compute-1")["uuid"]
    made = run_plan(env, [("change_node_power_state", {"resource_id": node, "state": "off"}, [])],
                    "node power off")  # fmt: skip
    assert made["state"] == "SUCCEEDED", made["actions_rows"][0].status_message
    assert ironic.node(node)["power_state"] == "power off"

    made = run_plan(env, [("change_node_power_state", {"resource_id": node, "state": "on"}, [])],
                    "node power on")  # fmt: skip
    assert made["state"] == "SUCCEEDED", made["actions_rows"][0].status_message
    assert ironic.node(node)["power_state"] == "power on"
