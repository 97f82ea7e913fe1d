"""dummy_with_resize, dummy_with_scorer and actuator: fixed or given plans."""

from __future__ import annotations

import pytest

from strategies.actuator import ACTUATOR
from strategies.dummy_with_resize import DUMMY_WITH_RESIZE
from strategies.dummy_with_scorer import DUMMY_WITH_SCORER
from tests.unit.strategies.clusters import run
from watcher_celery.errors import StrategyError
from watcher_celery.model import ClusterModel


def test_dummy_with_resize_emits_nops_sleep_migrations_and_a_resize():
    solution = run(DUMMY_WITH_RESIZE, ClusterModel())
    assert [a.action_type for a in solution.actions] == [
        "nop", "nop", "sleep", "migrate", "migrate", "resize"
    ]  # fmt: skip


def test_dummy_with_scorer_reports_scores_computed_from_its_parameters():
    solution = run(DUMMY_WITH_SCORER, ClusterModel(), param1=2.0, param2="abcd")
    messages = [a.input_parameters.get("message") for a in solution.actions]
    assert messages == ["abcd", "linear=2.6", "average=3.0", None]


def test_actuator_adds_the_given_actions_verbatim():
    actions = [
        {"action_type": "nop", "input_parameters": {"message": "a"}},
        {"action_type": "sleep", "resource_id": "r1", "input_parameters": {"duration": 1}},
    ]
    solution = run(ACTUATOR, ClusterModel(), actions=actions)
    assert [(a.action_type, a.input_parameters) for a in solution.actions] == [
        ("nop", {"message": "a"}),
        ("sleep", {"duration": 1, "resource_id": "r1"}),
    ]


def test_actuator_refuses_an_action_type_that_is_not_installed():
    with pytest.raises(StrategyError, match="'teleport' is not installed"):
        run(ACTUATOR, ClusterModel(), actions=[{"action_type": "teleport", "input_parameters": {}}])
