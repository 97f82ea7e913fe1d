"""Cancelling a running plan on a real worker: abort running actions, revoke queued ones.

The operator's PATCH is the state change ONGOING → CANCELLING (``states.transition`` as the
API does it); everything after that is the applier's reaction.
"""

from __future__ import annotations

import pytest

from harness.rows import make_dag_plan
from tests.integration.applier.conftest import (
    actions_of,
    executions,
    launch,
    send,
    settle,
    wait_action,
    wait_plan,
)
from watcher_celery.db import ActionPlan, session_scope
from watcher_celery.states import ActionPlanState, Actor, transition

pytestmark = pytest.mark.integration

LONG = ("sleep", {"duration": 60}, [])


def operator_cancels(plan_uuid: str) -> None:
    with session_scope() as session:
        transition(session, ActionPlan, plan_uuid, ActionPlanState.CANCELLING, Actor.OPERATOR)


def test_cancel_aborts_the_running_action_and_cancels_the_rest(applier_env, applier_worker, events):
    # Given a plan sleep(60) → nop → nop whose sleep is running
    made = make_dag_plan([LONG, ("nop", {"message": "a"}, [0]), ("nop", {"message": "b"}, [1])])
    launch(applier_env, made["plan"])
    wait_action(made["actions"][0], "ONGOING")
    # When the operator cancels the plan (state change only, no call into the applier)
    operator_cancels(made["plan"])
    # Then the sleep is aborted long before its 60 s, and every action ends CANCELLED
    assert wait_plan(made["plan"], timeout=20) == "CANCELLED"
    sleep, *rest = actions_of(made["actions"])
    assert sleep.state == "CANCELLED"
    assert sleep.status_message == "Action was aborted with its action plan."
    assert [a.state for a in rest] == ["CANCELLED", "CANCELLED"]
    assert set(executions(made["actions"])) == {sleep.uuid}  # the nops never ran
    settle()
    assert events.for_object(sleep.uuid)[-4:] == [
        "action.update",
        "action.cancel.start",
        "action.update",
        "action.cancel.end",
    ]
    plan_events = events.for_object(made["plan"])
    assert "action_plan.cancel.start" in plan_events
    assert plan_events[-1] == "action_plan.cancel.end"


def test_cancel_revokes_queued_actions_and_aborts_running_ones(applier_env, applier_worker):
    # Given four parallel sleeps on a worker of two processes: two run, two wait in the queue
    made = make_dag_plan([LONG, LONG, LONG, LONG])
    launch(applier_env, made["plan"])

    def running() -> int:
        return sum(a.state == "ONGOING" for a in actions_of(made["actions"]))

    from harness.processes import wait_for

    wait_for(lambda: running() == 2, 30, "two sleeps to run")
    queued = [a for a in actions_of(made["actions"]) if a.state == "PENDING"]
    assert len(queued) == 2 and all(a.task_id for a in queued)
    # When the operator cancels and the API asks the applier to wind the plan down
    operator_cancels(made["plan"])
    # (the API sends this task after its PATCH; here it goes to the module's private queue)
    from watcher_celery.applier.tasks import cancel_action_plan

    send(applier_env, cancel_action_plan, made["plan"])
    # Then every action is CANCELLED and the plan CANCELLED
    assert wait_plan(made["plan"], timeout=20) == "CANCELLED"
    assert [a.state for a in actions_of(made["actions"])] == ["CANCELLED"] * 4
    # And the queued ones never started: their tasks were revoked and discarded by the worker
    assert set(executions(made["actions"])) == set(made["actions"]) - {a.uuid for a in queued}
    wait_for(
        lambda: all(
            f"revoked task: watcher.applier.execute_action[{a.task_id}]" in applier_worker.log()
            for a in queued
        ),
        60,
        "the worker to discard the revoked tasks",
    )
