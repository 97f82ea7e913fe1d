"""The canvas built for what an advance claimed: chains for runs, a group for parallel runs."""

from __future__ import annotations

from celery.canvas import _chain, group

from watcher_celery.applier.canvas import ADVANCE, ADVANCE_AFTER_LEAF, plan_canvas


def test_linear_run_becomes_one_chain_whose_last_step_advances():
    # Given one run of three claimed actions
    run = [("a", "task-a"), ("b", "task-b"), ("c", "task-c")]
    # When its canvas is built
    canvas = plan_canvas([run])
    # Then it is one chain of the three executions under their claimed ids, the last of which
    # advances the plan (no separate advance task: one broker hop less per hand-off)
    assert isinstance(canvas, _chain)
    names = [step.task for step in canvas.tasks]
    assert names == ["watcher.applier.execute_action"] * 3
    assert [step.options["task_id"] for step in canvas.tasks] == ["task-a", "task-b", "task-c"]
    assert [step.args for step in canvas.tasks] == [("a",), ("b",), ("c", ADVANCE)]


def test_a_run_ending_in_a_leaf_asks_for_the_quick_advance():
    canvas = plan_canvas([[("a", "1")]], leaves={"a"})
    assert canvas.args == ("a", ADVANCE_AFTER_LEAF)


def test_each_step_carries_an_errback_naming_only_its_action():
    canvas = plan_canvas([[("a", "1"), ("b", "2"), ("c", "3")]])
    errbacks = [step.options["link_error"][0] for step in canvas.tasks]
    assert [e["task"] for e in errbacks] == ["watcher.applier.on_action_error"] * 3
    # One argument only, so Celery queues it instead of running it inside the failing worker
    assert [list(e["args"]) for e in errbacks] == [
        [{"action": "a"}],
        [{"action": "b"}],
        [{"action": "c"}],
    ]


def test_parallel_runs_become_a_group_of_chains():
    canvas = plan_canvas([[("a", "1")], [("b", "2"), ("c", "3")]])
    assert isinstance(canvas, group)
    assert [len(getattr(run, "tasks", [run])) for run in canvas.tasks] == [1, 2]


def test_nothing_claimed_means_nothing_sent():
    assert plan_canvas([]) is None
