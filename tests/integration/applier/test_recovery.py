"""Crash safety: a worker SIGKILLed mid-plan, then a new worker; the plan finishes, no action
sends its command twice, nothing stays ONGOING.

Each test has its own worker process (killed by PID with SIGKILL, the whole process group, as
a host crash would) and a replacement started afterwards, on the module's private queue.
"""

from __future__ import annotations

import os
import signal
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from harness.processes import start_worker, wait_for
from harness.rows import make_dag_plan
from tests.integration.applier.conftest import (
    actions_of,
    executions,
    launch,
    send,
    wait_action,
    wait_plan,
)
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.db import Action, ActionPlan, session_scope
from watcher_celery.db.models import utcnow
from watcher_celery.states import ActionPlanState, Actor, transition

pytestmark = pytest.mark.integration


def kill_worker(worker) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.process.wait()


def assert_finished_once(made: dict) -> None:
    actions = actions_of(made["actions"])
    assert [a.state for a in actions] == ["SUCCEEDED"] * len(actions)
    sent = executions(made["actions"])
    assert {uuid: r.commands_sent for uuid, r in sent.items()} == {u: 1 for u in made["actions"]}
    assert all(r.finished_at is not None for r in sent.values())


def crash_and_restart(
    env, log_dir, made: dict, crash_when: str, sent=None, before_restart=None
) -> str:
    """Launch on a worker, SIGKILL it once the first action is ``crash_when`` (and ``sent()``
    says its command reached the cloud), run ``before_restart()``, start a new worker and let
    it finish the plan; returns the new worker's log."""
    first = start_worker(env, log_dir)
    try:
        launch(env, made["plan"])
        wait_action(made["actions"][0], crash_when)
        if sent is not None:
            wait_for(sent, 10, "the command to reach the cloud", interval=0.02)
        kill_worker(first)
    finally:
        first.stop()
    assert actions_of(made["actions"])[0].state == crash_when
    if before_restart is not None:
        before_restart()
    second = start_worker(env, log_dir)
    try:
        assert wait_plan(made["plan"], timeout=60) == "SUCCEEDED"
        return second.log()
    finally:
        second.stop()


def test_worker_killed_during_an_action_resumes_it_without_sending_it_again(applier_env, log_dir):
    # Given a plan sleep(4) → nop → sleep(1) → nop on a worker
    made = make_dag_plan(
        [
            ("sleep", {"duration": 4}, []),
            ("nop", {"message": "a"}, [0]),
            ("sleep", {"duration": 1}, [1]),
            ("nop", {"message": "b"}, [2]),
        ]
    )
    # When the worker is killed in the middle of the first sleep and a new worker starts
    log = crash_and_restart(applier_env, log_dir, made, "ONGOING")
    # Then the plan resumed on the new worker, which took the sleep over
    assert f"resuming action {made['actions'][0]}" in log
    # And every action ran its command exactly once, none is left ONGOING
    assert_finished_once(made)
    sleep = executions(made["actions"])[made["actions"][0]]
    assert (sleep.finished_at - sleep.started_at).total_seconds() >= 4


def test_worker_killed_between_two_actions_carries_on_with_the_next(applier_env, log_dir):
    # Given a plan sleep(2) → sleep(2) → nop
    made = make_dag_plan(
        [
            ("sleep", {"duration": 2}, []),
            ("sleep", {"duration": 2}, [0]),
            ("nop", {"message": "c"}, [1]),
        ]
    )
    # When the worker is killed as soon as the first action has finished, Then a new worker
    # finishes the plan, each command sent once
    crash_and_restart(applier_env, log_dir, made, "SUCCEEDED")
    assert_finished_once(made)


@pytest.fixture()
def crash_cloud(applier_env, tmp_path):
    """A simulated cloud whose operations take 3 s, for workers that die in the middle."""
    path = tmp_path / "cloud.sqlite"
    SimulatedCloud.create(path, seed=9, hosts=8, instances=30, op_seconds=3.0).close()
    env = {
        **applier_env,
        "WATCHER_TASK_QUEUE": applier_env["WATCHER_TASK_QUEUE"] + "-crash-cloud",
        "WATCHER_CLOUD": "simulated",
        "WATCHER_SIM_PATH": str(path),
        "WATCHER_ACTION_POLL_INTERVAL": "0.1",
        "WATCHER_ACTION_TIMEOUT": "30",
    }
    cloud = SimulatedCloud(path)
    yield env, cloud
    cloud.close()


def test_worker_killed_during_a_resize_confirms_that_resize_without_another(crash_cloud, log_dir):
    env, sim = crash_cloud
    # Given a plan resize → nop, and a worker killed once the resize is running in the cloud
    instance = next(i for i in sim.instances() if i.state == "active" and i.host)
    made = make_dag_plan(
        [
            ("resize", {"resource_id": instance.uuid, "flavor": "m1.xlarge"}, []),
            ("nop", {"message": "after"}, [0]),
        ]
    )

    def resizing():
        return sim.get_instance(instance.uuid).task_state is not None

    # When a new worker takes over, with any second resize of that instance armed to fail
    log = crash_and_restart(
        env, log_dir, made, "ONGOING", sent=resizing,
        before_restart=lambda: sim.inject_failure("resize", instance.uuid, times=-1),
    )  # fmt: skip
    # Then it waited for the running resize and confirmed it: one resize, new flavor, active
    assert f"resuming action {made['actions'][0]}" in log
    assert_finished_once(made)
    after = sim.get_instance(instance.uuid)
    assert (after.flavor_name, after.state) == ("m1.xlarge", "active")
    assert [m.migration_type for m in sim.migrations(instance.uuid)] == ["resize"]


def test_worker_killed_during_a_volume_migration_waits_for_it_to_land(crash_cloud, log_dir):
    env, sim = crash_cloud
    volume = sim.volumes()[0]
    pool = next(p.name for p in sim.storage_pools() if p.name != volume.pool)
    params = {"resource_id": volume.uuid, "migration_type": "migrate", "destination_node": pool}
    made = make_dag_plan([("volume_migrate", params, []), ("nop", {"message": "after"}, [0])])
    crash_and_restart(
        env, log_dir, made, "ONGOING",
        sent=lambda: sim.get_volume(volume.uuid).migration_status == "migrating",
        before_restart=lambda: sim.inject_failure("migrate_volume", volume.uuid, times=-1),
    )  # fmt: skip
    assert_finished_once(made)
    assert sim.get_volume(volume.uuid).pool == pool


def test_reclaim_dispatches_again_a_claimed_action_whose_message_was_lost(
    applier_env, applier_worker
):
    # Given an ONGOING plan whose first action was claimed under a task id that no queue and
    # no live worker holds (its worker died with the message prefetched), a while ago
    made = make_dag_plan([("nop", {"message": "a"}, []), ("nop", {"message": "b"}, [0])])
    with session_scope() as session:
        transition(session, ActionPlan, made["plan"], ActionPlanState.ONGOING, Actor.SERVICE)
        session.execute(
            update(Action)
            .where(Action.uuid == made["actions"][0])
            .values(task_id=str(uuid.uuid4()), updated_at=utcnow() - timedelta(seconds=30))
        )
    # When recovery runs on the worker (tasks imported late: the Celery app reads its
    # settings on first use, after the fixtures pointed them at Redis)
    from watcher_celery.applier.tasks import reclaim_abandoned_plans_task

    send(applier_env, reclaim_abandoned_plans_task)
    # Then the action is dispatched again under a new id and the plan finishes
    assert wait_plan(made["plan"], timeout=30) == "SUCCEEDED"
    assert_finished_once(made)
