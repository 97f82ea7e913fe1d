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

from tests.integration.applier.conftest import (
    actions_of,
    executions,
    launch,
    make_dag_plan,
    send,
    wait_action,
    wait_plan,
)
from tests.support.processes import start_worker
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


def crash_and_restart(env, log_dir, made: dict, crash_when: str) -> str:
    """Launch on a worker, SIGKILL it once the first action is ``crash_when``, start a new
    worker and let it finish the plan; returns the new worker's log."""
    first = start_worker(env, log_dir)
    try:
        launch(env, made["plan"])
        wait_action(made["actions"][0], crash_when)
        kill_worker(first)
    finally:
        first.stop()
    assert actions_of(made["actions"])[0].state == crash_when
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
