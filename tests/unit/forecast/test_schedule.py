"""The plan's ETA: its DAG run a bounded number of actions at a time."""

import pytest

from watcher_celery.forecast import schedule


def test_a_chain_takes_the_sum_of_its_actions():
    result = schedule({"a": [], "b": ["a"], "c": ["b"]}, {"a": 1, "b": 2, "c": 3}, slots=4)
    assert result.eta == 6 and result.critical_path == 6
    assert result.starts == {"a": 0, "b": 1, "c": 3}


def test_independent_actions_share_the_slots():
    parents = {name: [] for name in "abcd"}
    durations = dict.fromkeys("abcd", 10.0)
    assert schedule(parents, durations, slots=2).eta == 20
    assert schedule(parents, durations, slots=4).eta == 10
    assert schedule(parents, durations, slots=1).eta == 40
    assert schedule(parents, durations, slots=1).critical_path == 10


def test_the_longest_remaining_path_starts_first():
    # Given one slot free: a long chain x -> y and a short leaf s, all ready but y
    parents = {"x": [], "y": ["x"], "s": []}
    durations = {"x": 5, "y": 5, "s": 5}
    result = schedule(parents, durations, slots=2)
    assert result.eta == 10
    one = schedule(parents, durations, slots=1)
    assert one.starts["x"] == 0 and one.eta == 15


def test_finished_actions_cost_nothing_and_running_ones_go_first():
    parents = {"a": [], "b": ["a"], "c": []}
    durations = {"a": 0, "b": 4, "c": 1}
    result = schedule(parents, durations, slots=1, first=["b"])
    assert result.starts["b"] == 0 and result.starts["c"] == 4
    assert result.eta == 5


def test_a_cycle_is_refused():
    with pytest.raises(ValueError, match="cycle"):
        schedule({"a": ["b"], "b": ["a"]}, {"a": 1, "b": 1}, slots=1)


def test_an_empty_plan_ends_now():
    assert schedule({}, {}, slots=2).eta == 0
