"""The cloud actions on a real worker against the simulated cloud (shared SQLite store).

Operations take 0.3 s of simulated time (the worker polls every 0.1 s, gives up after 4 s);
failures are injected in the simulated cloud, never by patching.
"""

from __future__ import annotations

import pytest

from harness.processes import start_worker, wait_for
from harness.rows import make_dag_plan, plan_state
from tests.integration.applier.conftest import (
    actions_of,
    launch,
    wait_action,
    wait_plan,
    wait_rolled_back,
)
from tests.integration.applier.test_cancel import operator_cancels
from watcher_celery.cloud.simulated import SimulatedCloud

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cloud_env(applier_env, tmp_path_factory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("cloud") / "cloud.sqlite"
    SimulatedCloud.create(path, seed=7, hosts=12, instances=60, op_seconds=0.3).close()
    return {
        **applier_env,
        "WATCHER_TASK_QUEUE": applier_env["WATCHER_TASK_QUEUE"] + "-cloud",
        "WATCHER_CLOUD": "simulated",
        "WATCHER_SIM_PATH": str(path),
        "WATCHER_ACTION_POLL_INTERVAL": "0.1",
        "WATCHER_ACTION_TIMEOUT": "4",
    }


@pytest.fixture(scope="module")
def cloud_worker(cloud_env, log_dir):
    service = start_worker(cloud_env, log_dir)
    yield service
    service.stop()


@pytest.fixture()
def sim(cloud_env, cloud_worker):
    cloud = SimulatedCloud(cloud_env["WATCHER_SIM_PATH"])
    cloud.set_op_seconds(0.3)
    cloud.clear_failures()
    yield cloud
    cloud.wait_idle()
    cloud.close()


_used: set[str] = set()


def an_instance(sim, state: str = "active"):
    """An instance no earlier test touched, on a host other than the crowded one."""
    for instance in sim.instances():
        if instance.state == state and instance.uuid not in _used and instance.host:
            if instance.host != "compute-00012":
                _used.add(instance.uuid)
                return instance
    raise LookupError(f"no unused {state} instance left")


def run(env, steps) -> dict:
    made = make_dag_plan(steps)
    launch(env, made["plan"])
    wait_plan(made["plan"], timeout=30)
    return made


def migrate(instance, kind="live", destination=None) -> tuple[str, dict, list[int]]:
    params = {"resource_id": instance.uuid, "migration_type": kind, "source_node": instance.host}
    if destination:
        params["destination_node"] = destination
    return ("migrate", params, [])


def test_live_migration_to_a_destination_moves_the_instance(cloud_env, sim):
    instance = an_instance(sim)
    made = run(cloud_env, [migrate(instance, "live", "compute-00005")])
    assert plan_state(made["plan"])[0] == "SUCCEEDED"
    assert sim.get_instance(instance.uuid).host == "compute-00005"
    assert sim.migrations(instance.uuid)[0].status == "completed"


def test_cold_migration_without_destination_is_confirmed(cloud_env, sim):
    instance = an_instance(sim, "stopped")
    made = run(cloud_env, [migrate(instance, "cold")])
    assert plan_state(made["plan"])[0] == "SUCCEEDED"
    moved = sim.get_instance(instance.uuid)
    assert moved.host != instance.host
    assert moved.state == "stopped"  # confirmed: no longer waiting in "resized"


def test_failed_migration_fails_the_action_and_leaves_the_instance_on_its_source(cloud_env, sim):
    instance = an_instance(sim)
    sim.inject_failure("live_migrate", instance.uuid, phase="complete")
    made = run(cloud_env, [migrate(instance)])
    action = actions_of(made["actions"])[0]
    # Then it failed with Nova's account (migration status, reason, where the server is) and
    # says it had nothing to revert: the server never left its source
    assert action.state == "FAILED"
    assert action.status_message.startswith("Action failed in execute: Nova's live migration")
    assert "ended error: Simulated failure of live_migrate" in action.status_message
    assert action.status_message.endswith(f"(nothing to revert: server ACTIVE on {instance.host})")
    assert "(reverted)" not in action.status_message
    assert sim.get_instance(instance.uuid).host == instance.host


def test_migration_failing_late_is_one_warning_line_without_traceback(cloud_env, sim, cloud_worker):
    # Given a cold migration Nova accepts and fails later (no host for it)
    instance = an_instance(sim)
    reason = "No valid host was found. There are not enough hosts available."
    sim.inject_failure("cold_migrate", instance.uuid, phase="complete", message=reason)
    logged_before = len(cloud_worker.log())
    made = run(cloud_env, [migrate(instance, "cold")])
    action = actions_of(made["actions"])[0]
    assert action.state == "FAILED"
    assert f"ended error: {reason}" in action.status_message
    # Then the worker logged it as an expected failure: a WARNING with the reason, no ERROR,
    # no traceback
    log = wait_for(
        lambda: action.uuid in cloud_worker.log()[logged_before:] and cloud_worker.log(),
        10,
        "the failure to be logged",
    )[logged_before:]
    warnings = [line for line in log.splitlines() if "WARNING" in line and action.uuid in line]
    assert warnings and reason in warnings[0]
    assert "Traceback" not in log
    assert not [line for line in log.splitlines() if "ERROR" in line]


def test_cold_migration_whose_confirm_fails_is_reverted_from_verify_resize(cloud_env, sim):
    # Given a cold migration that reaches VERIFY_RESIZE and whose confirm Nova refuses
    instance = an_instance(sim)
    sim.inject_failure("confirm_resize", instance.uuid, message="confirm refused")
    made = run(cloud_env, [migrate(instance, "cold")])
    action = actions_of(made["actions"])[0]
    # Then the errback reverted the resize and verified the server back on its source
    assert action.state == "FAILED"
    assert "confirm refused" in action.status_message
    assert action.status_message.endswith("(reverted)")
    after = sim.get_instance(instance.uuid)
    assert (after.host, after.state, after.task_state) == (instance.host, "active", None)
    assert sim.migrations(instance.uuid)[0].status == "reverted"
    assert set(sim.allocations(instance.uuid)) == {instance.host}
    assert sim.allocations(sim.migrations(instance.uuid)[0].uuid) == {}


def test_live_migration_that_times_out_is_aborted_back_to_its_source(cloud_env, sim):
    # Given a live migration slower than the applier's timeout (4 s)
    instance = an_instance(sim)
    sim.set_op_seconds(30)
    made = run(cloud_env, [migrate(instance)])
    action = actions_of(made["actions"])[0]
    # Then the action failed on the timeout and its errback aborted the half-done migration
    assert action.state == "FAILED"
    assert "timed out after 4s" in action.status_message
    assert action.status_message.endswith("(reverted)")
    assert sim.migrations(instance.uuid)[0].status == "cancelled"
    assert sim.get_instance(instance.uuid).host == instance.host


def test_plan_failure_moves_a_migrated_instance_back(cloud_env, sim):
    # Given migrate → nop(fail_execute), with plan-level rollback on (the module's worker)
    instance = an_instance(sim)
    made = run(
        cloud_env,
        [
            migrate(instance, "live", "compute-00005"),
            ("nop", {"message": "x", "fail_execute": True}, [0]),
        ],
    )
    # Then the plan failed and the succeeded migration was reverted: the instance is back
    assert plan_state(made["plan"])[0] == "FAILED"
    assert wait_rolled_back(made["plan"]).endswith("1 succeeded action(s) were reverted.")
    assert actions_of(made["actions"])[0].state == "SUCCEEDED"
    assert sim.get_instance(instance.uuid).host == instance.host
    assert [m.status for m in sim.migrations(instance.uuid)[:2]] == ["completed", "completed"]


def test_cancelling_a_plan_aborts_its_running_live_migration(cloud_env, sim):
    instance = an_instance(sim)
    sim.set_op_seconds(30)
    made = make_dag_plan([migrate(instance)])
    launch(cloud_env, made["plan"])
    wait_action(made["actions"][0], "ONGOING")
    operator_cancels(made["plan"])
    assert wait_plan(made["plan"], timeout=20) == "CANCELLED"
    assert actions_of(made["actions"])[0].state == "CANCELLED"
    assert sim.get_instance(instance.uuid).host == instance.host


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"resource_id": "not-a-uuid", "migration_type": "live", "source_node": "a"},
            "invalid input parameters at resource_id",
        ),
        (
            {"resource_id": "9aea6429-b149-4e24-b192-b70442594052", "migration_type": "warp",
             "source_node": "compute-00002"},
            "invalid input parameters at migration_type: 'warp' is not one of ['live', 'cold']",
        ),
        (
            {"resource_id": "a2c68e45-ca04-479f-af15-b6ad2db3997f", "migration_type": "cold",
             "source_node": "compute-00012", "destination_node": "nowhere"},
            "Destination node nowhere could not be found",
        ),
    ],
)  # fmt: skip
def test_invalid_migration_fails_in_pre_condition(cloud_env, sim, params, message):
    made = run(cloud_env, [("migrate", params, [])])
    action = actions_of(made["actions"])[0]
    assert action.state == "FAILED"
    assert action.status_message == f"Action failed in pre_condition: {message}" or (
        action.status_message.startswith(f"Action failed in pre_condition: {message}")
    )


def test_migration_of_an_instance_not_on_its_source_is_skipped(cloud_env, sim):
    instance = an_instance(sim)
    params = {"resource_id": instance.uuid, "migration_type": "live", "source_node": "elsewhere"}
    made = run(cloud_env, [("migrate", params, [])])
    assert plan_state(made["plan"]) == ("SUCCEEDED", "One or more actions were skipped.")
    assert actions_of(made["actions"])[0].status_message.startswith(
        "Action was skipped automatically: Instance"
    )


def test_resize_stop_service_and_volume_actions_change_the_cloud(cloud_env, sim):
    resized, stopped = an_instance(sim), an_instance(sim)
    volume = next(v for v in sim.volumes() if v.pool == "cinder-az1@lvm#lvm")
    retyped = next(
        v for v in sim.volumes() if v.uuid != volume.uuid and v.volume_type == "standard"
    )
    made = run(
        cloud_env,
        [
            ("resize", {"resource_id": resized.uuid, "flavor": "m1.medium"}, []),
            ("stop", {"resource_id": stopped.uuid}, []),
            ("change_nova_service_state",
             {"resource_id": "compute-00011", "state": "disabled", "disabled_reason": "drain"}, []),
            ("volume_migrate", {"resource_id": volume.uuid, "migration_type": "migrate",
                                "destination_node": "cinder-az1@ceph#ceph"}, []),
            ("volume_migrate", {"resource_id": retyped.uuid, "migration_type": "retype",
                                "destination_type": "fast"}, []),
        ],
    )  # fmt: skip
    assert [a.state for a in actions_of(made["actions"])] == ["SUCCEEDED"] * 5
    after = sim.get_instance(resized.uuid)
    assert (after.flavor_name, after.state) == ("m1.medium", "active")
    stopped_now = sim.get_instance(stopped.uuid)
    assert (stopped_now.state, stopped_now.task_state) == ("stopped", None)  # SHUTOFF, waited
    host = sim.get_compute_node("compute-00011")
    assert (host.status, host.disabled_reason) == ("disabled", "drain")
    assert sim.get_volume(volume.uuid).pool == "cinder-az1@ceph#ceph"
    assert sim.get_volume(retyped.uuid).volume_type == "fast"


def test_failed_service_change_reverts_to_the_previous_state(cloud_env, sim):
    # Given disabling a host whose post-step fails (injected on the next nop is not possible,
    # so the plan fails on a later action and plan-level rollback restores the service)
    made = run(
        cloud_env,
        [
            (
                "change_nova_service_state",
                {"resource_id": "compute-00010", "state": "disabled"},
                [],
            ),
            ("nop", {"message": "x", "fail_execute": True}, [0]),
        ],
    )
    assert plan_state(made["plan"])[0] == "FAILED"
    wait_rolled_back(made["plan"])
    host = sim.get_compute_node("compute-00010")
    assert (host.status, host.disabled_reason) == ("enabled", None)


def test_powering_off_a_node_that_still_runs_instances_fails(cloud_env, sim):
    busy = next(
        b for b in sim.baremetal_nodes()
        if any(i.host == b.hypervisor_hostname and i.state == "active" for i in sim.instances())
    )  # fmt: skip
    made = run(
        cloud_env, [("change_node_power_state", {"resource_id": busy.uuid, "state": "off"}, [])]
    )
    assert actions_of(made["actions"])[0].state == "FAILED"
    assert sim.get_baremetal_node(busy.uuid).power_state == "power on"


def test_powered_off_node_is_powered_on_with_its_hypervisor(cloud_env, sim):
    # Given a bare-metal node that is off (its hypervisor down)
    node = sim.baremetal_nodes()[-1]
    sim.set_power_state(node.uuid, False)
    assert sim.get_compute_node(node.hypervisor_hostname).state == "down"
    # When a plan powers it on
    made = run(
        cloud_env, [("change_node_power_state", {"resource_id": node.uuid, "state": "on"}, [])]
    )
    # Then the action succeeded and the node and its hypervisor are up again
    assert actions_of(made["actions"])[0].state == "SUCCEEDED"
    assert sim.get_baremetal_node(node.uuid).power_state == "power on"
    assert sim.get_compute_node(node.hypervisor_hostname).state == "up"


def test_volume_swap_moves_the_volume_to_the_destination_pool(cloud_env, sim):
    volume = next(v for v in sim.volumes() if v.pool == "cinder-az1@lvm#lvm" and v.attachments)
    made = run(
        cloud_env,
        [
            ("volume_migrate", {"resource_id": volume.uuid, "migration_type": "swap",
                                "destination_node": "cinder-az1@ceph#ceph"}, []),
        ],
    )  # fmt: skip
    assert actions_of(made["actions"])[0].state == "SUCCEEDED"
    assert sim.get_volume(volume.uuid).pool == "cinder-az1@ceph#ceph"


def test_volume_migration_slower_than_the_action_timeout_fails_with_the_wait(cloud_env, sim):
    # Given volume migrations that take 10 s, longer than the worker's 4 s action timeout
    volume = next(
        v for v in sim.volumes() if v.pool == "cinder-az1@lvm#lvm" and not v.migration_status
    )
    sim.set_op_seconds(10.0)
    params = {"resource_id": volume.uuid, "migration_type": "migrate",
              "destination_node": "cinder-az1@ceph#ceph"}  # fmt: skip
    made = run(cloud_env, [("volume_migrate", params, [])])
    # Then the action failed on the wait, with the timeout in its message
    action = actions_of(made["actions"])[0]
    assert action.state == "FAILED"
    assert "timed out after 4s waiting for volume" in action.status_message
    assert plan_state(made["plan"])[0] == "FAILED"
