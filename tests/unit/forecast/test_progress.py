"""A running plan's progress: finished work counts, the rest is scheduled from now."""

from watcher_celery.forecast.progress import progress


def _plan(*states):
    uuids = ["a", "b", "c"]
    parents = {"a": [], "b": ["a"], "c": ["b"]}
    return [
        {"uuid": u, "parents": parents[u], "state": s} for u, s in zip(uuids, states, strict=True)
    ]


ESTIMATES = {"a": 10.0, "b": 10.0, "c": 20.0}


def test_nothing_started_leaves_the_whole_plan():
    result = progress(_plan("PENDING", "PENDING", "PENDING"), ESTIMATES, slots=2)
    assert (result.done, result.total, result.fraction, result.remaining) == (0, 3, 0, 40)


def test_a_running_action_counts_what_it_has_done():
    result = progress(_plan("SUCCEEDED", "ONGOING", "PENDING"), ESTIMATES, 2, {"b": 4})
    assert result.done == 1
    assert result.fraction == 14 / 40
    assert result.remaining == 6 + 20


def test_an_action_running_past_its_estimate_has_nothing_left():
    result = progress(_plan("SUCCEEDED", "ONGOING", "PENDING"), ESTIMATES, 2, {"b": 60})
    assert result.remaining == 20


def test_a_finished_plan_is_whole():
    result = progress(_plan("SUCCEEDED", "SKIPPED", "FAILED"), ESTIMATES, 2)
    assert (result.done, result.fraction, result.remaining) == (3, 1.0, 0)
