"""The ten goals of reference §3 with their efficacy, and strategy selection of §8.2."""

from __future__ import annotations

import dataclasses

import pytest

from watcher_celery.decision_engine import efficacy
from watcher_celery.decision_engine.selection import select_strategy
from watcher_celery.errors import StrategyError
from watcher_celery.plugins.registry import get_registry

INDICATORS = {
    "dummy": [],
    "unclassified": [],
    "server_consolidation": [
        ("compute_nodes_count", True),
        ("released_compute_nodes_count", True),
        ("instance_migrations_count", True),
        ("released_compute_nodes_bound", False),
        ("released_compute_nodes_bound_uncapped", False),
        ("released_compute_nodes_gap", False),
        ("instance_migrations_bytes", False),
    ],
    "thermal_optimization": [],
    "workload_balancing": [
        ("instance_migrations_count", True),
        ("instances_count", False),
        ("standard_deviation_after_audit", False),
        ("standard_deviation_before_audit", False),
    ],
    "airflow_optimization": [],
    "noisy_neighbor": [],
    "saving_energy": [],
    "hardware_maintenance": [
        (f"{planned}{kind}_count", True)
        for kind in (
            "live_migrate_instance",
            "cold_migrate_instance",
            "volume_migrate",
            "volume_update",
        )
        for planned in ("", "planned_")
    ],
    "cluster_maintaining": [],
}


def test_the_ten_goals_and_their_indicators():
    goals = get_registry().goals
    assert set(goals) == set(INDICATORS)
    for name, expected in INDICATORS.items():
        got = sorted((spec.name, spec.required) for spec in goals[name].indicators)
        assert got == sorted(expected), name


def test_global_efficacy_of_server_consolidation_and_workload_balancing():
    goals = get_registry().goals
    values = {
        "compute_nodes_count": 8,
        "released_compute_nodes_count": 2,
        "instance_migrations_count": 5,
    }
    [ratio] = efficacy.global_efficacy(goals["server_consolidation"], values)
    assert (ratio["name"], ratio["value"], ratio["unit"]) == ("released_nodes_ratio", 25.0, "%")
    [ratio] = efficacy.global_efficacy(
        goals["workload_balancing"], {"instance_migrations_count": 3, "instances_count": 12}
    )
    assert (ratio["name"], ratio["value"]) == ("live_migrations_count", 25.0)
    assert efficacy.global_efficacy(goals["dummy"], {}) is None


def test_a_missing_or_invalid_required_indicator_fails_the_efficacy():
    goal = get_registry().goals["server_consolidation"]
    with pytest.raises(StrategyError, match="released_compute_nodes_count"):
        efficacy.indicators(goal, {"compute_nodes_count": 1, "instance_migrations_count": 0})
    with pytest.raises(StrategyError, match="compute_nodes_count"):
        efficacy.indicators(
            goal,
            {
                "compute_nodes_count": -1,
                "released_compute_nodes_count": 0,
                "instance_migrations_count": 0,
            },
        )


@pytest.mark.parametrize(
    "goal, strategy",
    [
        ("server_consolidation", "basic"),
        ("workload_balancing", "workload_stabilization"),
        ("dummy", "dummy"),
        ("unclassified", "actuator"),
        ("cluster_maintaining", "host_maintenance"),
    ],
)
def test_an_audit_naming_only_its_goal_gets_upstreams_preferred_strategy(goal, strategy):
    assert select_strategy(get_registry(), goal, None).name == strategy


def test_a_named_strategy_wins_and_a_goal_without_strategy_fails_clearly():
    registry = get_registry()
    assert select_strategy(
        registry, "server_consolidation", "node_resource_consolidation"
    ).name == ("node_resource_consolidation")
    assert select_strategy(registry, "noisy_neighbor", None).name == "noisy_neighbor"
    without = dataclasses.replace(
        registry,
        strategies={n: s for n, s in registry.strategies.items() if s.goal != "noisy_neighbor"},
    )
    with pytest.raises(StrategyError, match="No strategy could be found to achieve the 'noisy"):
        select_strategy(without, "noisy_neighbor", None)
