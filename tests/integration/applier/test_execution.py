"""Plans run as Celery canvases on a real worker: chains, parallel runs, rules, skips, failures.

Real Celery worker (prefork, 2 processes), Redis broker, PostgreSQL; actions are nop and sleep.
"""

from __future__ import annotations

import pytest

from harness.rows import make_dag_plan, plan_state
from tests.integration.applier.conftest import (
    ANY_STRATEGY,
    actions_of,
    executions,
    launch,
    settle,
    wait_plan,
    wait_rolled_back,
)
from watcher_celery.db import session_scope
from watcher_celery.states import ActionState, Actor, transition

pytestmark = pytest.mark.integration

NOP = ("nop", {"message": "hello"})


def nop(*parents: int, **hooks) -> tuple[str, dict, list[int]]:
    return ("nop", {"message": "hello", **hooks}, list(parents))


def received_advances(worker) -> int:
    return sum(
        1
        for line in worker.log().splitlines()
        if "watcher.applier.advance_plan[" in line and line.endswith("received")
    )


def test_linear_plan_runs_as_one_chain_and_succeeds(applier_env, applier_worker, events):
    # Given a plan nop → nop → nop → nop (each the only child of the one before)
    made = make_dag_plan([nop(), nop(0), nop(1), nop(2)])
    before = received_advances(applier_worker)
    # When it is launched
    launch(applier_env, made["plan"])
    # Then it succeeds, every action SUCCEEDED, in order
    assert wait_plan(made["plan"]) == "SUCCEEDED"
    actions = actions_of(made["actions"])
    assert [a.state for a in actions] == ["SUCCEEDED"] * 4
    runs = executions(made["actions"])
    finished = [runs[u].finished_at for u in made["actions"]]
    assert finished == sorted(finished)
    # And the whole run went as one chain whose last step advanced the plan itself: no
    # advance task at all
    assert received_advances(applier_worker) - before == 0
    # And operators saw the plan's and each action's execution events
    settle()
    assert events.for_object(made["plan"]) == [
        "action_plan.update",
        "action_plan.execution.start",
        "action_plan.update",
        "action_plan.execution.end",
    ]
    assert events.for_object(made["actions"][0]) == [
        "action.update",
        "action.execution.start",
        "action.update",
        "action.execution.end",
    ]
    assert plan_state(made["plan"]) == ("SUCCEEDED", None)


def test_parallel_branches_run_side_by_side_then_join(applier_env, applier_worker):
    # Given two independent sleeps that a nop joins
    made = make_dag_plan(
        [("sleep", {"duration": 2}, []), ("sleep", {"duration": 2}, []), nop(0, 1)]
    )
    launch(applier_env, made["plan"])
    assert wait_plan(made["plan"]) == "SUCCEEDED"
    runs = executions(made["actions"])
    first, second, join = (runs[u] for u in made["actions"])
    # Then both sleeps were running at the same time, and the join ran after both
    assert first.started_at < second.finished_at and second.started_at < first.finished_at
    assert join.started_at >= max(first.finished_at, second.finished_at)


def test_always_rule_runs_children_of_a_failed_action_and_fails_the_plan(
    applier_env, applier_worker, events
):
    # Given a chain nop → nop(fail_execute) → nop under the default ALWAYS rule
    made = make_dag_plan([nop(), nop(0, fail_execute=True), nop(1)])
    launch(applier_env, made["plan"])
    assert wait_plan(made["plan"]) == "FAILED"
    message = wait_rolled_back(made["plan"])
    first, failed, child = actions_of(made["actions"])
    # Then the failed action is FAILED with the phase in its message; a nop changes nothing,
    # so its errback says there was nothing to revert (never "(reverted)")
    assert failed.state == "FAILED"
    assert failed.status_message.startswith("Action failed in execute:")
    assert failed.status_message.endswith("(nothing to revert)")
    # And its child still ran (ALWAYS), though it was in the same chain as the failure
    assert child.state == "SUCCEEDED"
    # And, with plan-level rollback on, the succeeded actions were visited newest first
    assert first.state == "SUCCEEDED"
    assert first.status_message == child.status_message
    assert first.status_message.startswith("Action had nothing to revert after its action plan")
    assert message == (
        "One or more actions failed; 0 succeeded action(s) were reverted, 2 had nothing to revert."
    )
    settle()
    assert "action.execution.error" in events.for_object(failed.uuid)
    assert events.for_object(made["plan"])[-1] == "action_plan.execution.error"
    reverted = [
        e["payload"]["watcher_object.data"]["uuid"]
        for e in events.received
        if e["event_type"] == "action.update"
        and "revert after" in (e["payload"]["watcher_object.data"]["status_message"] or "")
    ]
    assert reverted == [child.uuid, first.uuid]


def test_any_rule_runs_child_only_after_a_failure_and_a_success_ends_the_branch(
    applier_env, applier_worker
):
    # Given a strategy whose rule is ANY, and alternatives nop(fail) → nop → nop → nop
    made = make_dag_plan([nop(fail_execute=True), nop(0), nop(1), nop(2)], strategy=ANY_STRATEGY)
    launch(applier_env, made["plan"])
    assert wait_plan(made["plan"]) == "FAILED"
    states = [a.state for a in actions_of(made["actions"])]
    # Then the second runs because the first failed; its success skips the rest of the branch
    assert states == ["FAILED", "SUCCEEDED", "SKIPPED", "SKIPPED"]
    skipped = actions_of(made["actions"])[2]
    assert skipped.status_message.startswith("Action was skipped: the ANY rule")
    assert executions(made["actions"][2:]) == {}


def test_skipped_actions_do_not_fail_the_plan(applier_env, applier_worker):
    # Given an action skipped by its pre_condition and one skipped by the operator before launch
    made = make_dag_plan([nop(skip_pre_condition=True), nop(0), nop(1)])
    with session_scope() as session:
        transition(
            session,
            type(actions_of(made["actions"])[0]),
            made["actions"][2],
            ActionState.SKIPPED,
            Actor.OPERATOR,
        )
    launch(applier_env, made["plan"])
    # Then the plan SUCCEEDED, saying some were skipped
    assert wait_plan(made["plan"]) == "SUCCEEDED"
    assert plan_state(made["plan"])[1] == "One or more actions were skipped."
    first, middle, last = actions_of(made["actions"])
    assert first.state == "SKIPPED"
    assert first.status_message == "Action was skipped automatically: Skipped in pre_condition"
    assert middle.state == "SUCCEEDED"
    assert last.state == "SKIPPED"
    assert made["actions"][2] not in executions(made["actions"])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"message": "x", "fail_pre_condition": True},
            "Action failed in pre_condition: Failed in pre_condition",
        ),
        (
            {"message": "x", "unknown": 1},
            "Action failed in pre_condition: invalid input parameters",
        ),
        (
            {"message": "x", "fail_post_condition": True},
            "Action failed in post_condition: Failed in post_condition",
        ),
    ],
)
def test_failure_in_a_phase_fails_the_action_with_a_clear_message(
    applier_env, applier_worker, params, message
):
    made = make_dag_plan([("nop", params, [])])
    launch(applier_env, made["plan"])
    assert wait_plan(made["plan"]) == "FAILED"
    action = actions_of(made["actions"])[0]
    assert action.state == "FAILED"
    assert action.status_message.startswith(message)
    sent = executions(made["actions"])
    if "pre_condition" in message:
        assert sent == {}  # the command was never sent
    else:
        assert sent[action.uuid].commands_sent == 1
