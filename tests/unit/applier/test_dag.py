"""The plan's DAG: linear runs, and the claimed actions a broken chain never reached."""

from __future__ import annotations

from dataclasses import dataclass, field

from watcher_celery.applier import dag


@dataclass
class Row:
    uuid: str
    parents: list[str] = field(default_factory=list)
    state: str = "PENDING"
    task_id: str | None = "claimed"


def test_children_keep_the_order_of_the_rows():
    rows = [Row("a"), Row("c", ["a"]), Row("b", ["a"])]
    assert [r.uuid for r in dag.children(rows)["a"]] == ["c", "b"]


def test_a_run_goes_on_only_through_an_only_child_with_no_other_parent():
    rows = [Row("a"), Row("b", ["a"]), Row("c", ["b"]), Row("x"), Row("d", ["c", "x"])]
    children = dag.children(rows)
    assert dag.next_in_run("a", children).uuid == "b"
    assert dag.next_in_run("c", children) is None  # d also waits for x
    assert dag.next_in_run("x", children) is None


def test_a_fork_ends_the_run():
    rows = [Row("a"), Row("b", ["a"]), Row("c", ["a"])]
    assert dag.next_in_run("a", dag.children(rows)) is None


def test_claimed_after_stops_at_the_first_unclaimed_or_started_action():
    rows = [
        Row("a", state="FAILED"),
        Row("b", ["a"]),
        Row("c", ["b"]),
        Row("d", ["c"], task_id=None),
        Row("e", ["d"]),
    ]
    assert dag.claimed_after("a", dag.children(rows)) == ["b", "c"]
    rows[2].state = "ONGOING"
    assert dag.claimed_after("a", dag.children(rows)) == ["b"]
