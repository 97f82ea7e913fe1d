"""The weight planner's DAG: heavier types first, chunks of N, each chunk after the last."""

from __future__ import annotations

import pytest

from watcher_celery.decision_engine.planners.weight import plan
from watcher_celery.errors import PluginError
from watcher_celery.plugins import SolutionAction


def _actions(*types: str) -> list[SolutionAction]:
    return [SolutionAction(t, {"n": i}) for i, t in enumerate(types)]


def test_dummy_solution_becomes_a_chain():
    planned = plan(_actions("nop", "nop", "sleep"))
    assert [p.action_type for p in planned] == ["nop", "nop", "sleep"]
    assert [p.parents for p in planned] == [(), (0,), (1,)]


def test_types_are_ordered_by_weight_and_keep_solution_order_within_a_type():
    planned = plan(_actions("migrate", "nop", "migrate", "change_nova_service_state", "migrate"))
    assert [(p.action_type, p.input_parameters["n"]) for p in planned] == [
        ("nop", 1),
        ("change_nova_service_state", 3),
        ("migrate", 0),
        ("migrate", 2),
        ("migrate", 4),
    ]


def test_parallel_chunks_depend_on_the_whole_previous_chunk():
    # migrate runs 2 at a time: [m0, m1] after the disable, [m2] after both of them
    planned = plan(_actions("change_nova_service_state", "migrate", "migrate", "migrate"))
    assert [p.parents for p in planned] == [(), (0,), (0,), (1, 2)]


def test_custom_parallelization_widens_layers():
    planned = plan(_actions("nop", "nop", "nop"), parallelization={"nop": 3})
    assert [p.parents for p in planned] == [(), (), ()]


def test_unknown_action_type_is_refused():
    with pytest.raises(PluginError, match="teleport"):
        plan(_actions("teleport"))
