"""ALWAYS and ANY: when a child may run once its parents are finished."""

from __future__ import annotations

import pytest

from watcher_celery.applier.rules import Rule, child_may_run


@pytest.mark.parametrize("parents", [["SUCCEEDED"], ["FAILED"], ["SKIPPED", "FAILED"], []])
def test_always_rule_runs_children_whatever_their_parents_did(parents):
    assert child_may_run(Rule.ALWAYS, parents)


@pytest.mark.parametrize(
    ("parents", "runs"),
    [(["FAILED"], True), (["FAILED", "FAILED"], True), (["SUCCEEDED"], False),
     (["FAILED", "SUCCEEDED"], False), (["SKIPPED"], False)],
)  # fmt: skip
def test_any_rule_runs_a_child_only_when_its_parents_failed(parents, runs):
    assert child_may_run(Rule.ANY, parents) is runs
