"""DAG shapes of the workload_stabilization and node_resource_consolidation planners, and
planner settings from ``WATCHER_PLANNERS``."""

from __future__ import annotations

import json
import os

import pytest

from watcher_celery.config import reset_settings
from watcher_celery.decision_engine.planners import node_resource_consolidation as nrc
from watcher_celery.decision_engine.planners import weight
from watcher_celery.decision_engine.planners import workload_stabilization as ws
from watcher_celery.errors import PluginError
from watcher_celery.plugins import SolutionAction


def _migrate(instance: str, source: str, destination: str | None = None) -> SolutionAction:
    params = {"migration_type": "live", "source_node": source, "resource_id": instance}
    if destination:
        params["destination_node"] = destination
    return SolutionAction("migrate", params)


def _state(host: str, state: str) -> SolutionAction:
    return SolutionAction(
        "change_nova_service_state", {"state": state, "resource_name": host, "resource_id": host}
    )


def test_workload_stabilization_runs_migrations_in_parallel_and_resizes_after_their_migration():
    actions = [
        _migrate("i1", "h1", "h2"),
        SolutionAction("resize", {"flavor": "x2", "resource_id": "i1"}),
        _migrate("i2", "h1", "h3"),
        SolutionAction("nop", {"message": "m"}),
    ]
    planned = ws.plan(actions)
    # heaviest first: nop (5), migrations (2), resize (1)
    assert [p.action_type for p in planned] == ["nop", "migrate", "migrate", "resize"]
    assert [p.parents for p in planned] == [(), (), (), (1,)]


def test_workload_stabilization_powers_a_host_off_after_everything_leaving_it():
    actions = [
        SolutionAction("turn_host_to_acpi_s3_state", {"resource_name": "h1"}),
        _migrate("i1", "h1", "h2"),
        _migrate("i2", "h3", "h2"),
        _migrate("i3", "h1", "h3"),
    ]
    planned = ws.plan(actions)
    assert planned[-1].action_type == "turn_host_to_acpi_s3_state"
    assert planned[-1].parents == (0, 2)


def test_workload_stabilization_refuses_a_type_without_weight():
    with pytest.raises(PluginError, match="stop"):
        ws.plan([SolutionAction("stop", {"resource_id": "i"})])


def test_node_resource_consolidation_disables_then_chains_per_source_then_enables():
    actions = [
        _state("a", "disabled"),
        _state("b", "disabled"),
        _migrate("i1", "a"),
        _migrate("i2", "b"),
        _migrate("i3", "a"),
        _state("a", "enabled"),
        _state("b", "enabled"),
    ]
    planned = nrc.plan(actions)
    kinds = [(p.action_type, p.input_parameters.get("resource_id")) for p in planned]
    assert kinds == [
        ("change_nova_service_state", "a"),
        ("change_nova_service_state", "b"),
        ("migrate", "i1"),
        ("migrate", "i2"),
        ("migrate", "i3"),
        ("change_nova_service_state", "a"),
        ("change_nova_service_state", "b"),
    ]
    assert [p.parents for p in planned] == [
        (),
        (),
        (0, 1),  # first off a: after both disables
        (0, 1),  # first off b: in parallel with a's chain
        (0, 1, 2),  # second off a: after the first off a
        (3, 4),  # enables: after the last migration of every chain
        (3, 4),
    ]


def test_node_resource_consolidation_refuses_other_action_types():
    with pytest.raises(PluginError, match="nop"):
        nrc.plan([SolutionAction("nop", {"message": "x"})])


@pytest.fixture()
def planners_env(monkeypatch):
    def configure(value: dict | str) -> None:
        raw = value if isinstance(value, str) else json.dumps(value)
        monkeypatch.setitem(os.environ, "WATCHER_PLANNERS", raw)
        reset_settings()

    yield configure
    monkeypatch.undo()
    reset_settings()


def test_weight_planner_takes_weights_and_parallelization_from_settings(planners_env):
    planners_env({"weight": {"weights": {"migrate": 99}, "parallelization": {"migrate": 3}}})
    actions = [SolutionAction("nop", {"message": "x"})] + [_migrate(f"i{n}", "h") for n in range(4)]
    planned = weight.plan(actions)
    assert [p.action_type for p in planned] == ["migrate"] * 4 + ["nop"]
    assert [p.parents for p in planned] == [(), (), (), (0, 1, 2), (3,)]


def test_workload_stabilization_weights_from_settings_allow_more_types(planners_env):
    planners_env({"workload_stabilization": {"weights": {"stop": 9}}})
    planned = ws.plan([_migrate("i1", "h"), SolutionAction("stop", {"resource_id": "i2"})])
    assert [p.action_type for p in planned] == ["stop", "migrate"]


def test_malformed_planner_settings_are_refused_with_the_key(planners_env):
    planners_env({"weight": {"weights": {"migrate": "heavy"}}})
    with pytest.raises(PluginError, match="weight.weights.migrate"):
        weight.plan([_migrate("i1", "h")])
    planners_env("not json")
    with pytest.raises(PluginError, match="JSON"):
        weight.plan([_migrate("i1", "h")])
