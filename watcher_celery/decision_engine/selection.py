"""Choosing the strategy of an audit: the one it names, else the goal's preferred one."""

from __future__ import annotations

from watcher_celery.errors import StrategyError
from watcher_celery.plugins import StrategyDefinition
from watcher_celery.plugins.registry import Registry

# Upstream's choice when an audit names only its goal (reference §8.2).
PREFERRED = {
    "server_consolidation": "basic",
    "workload_balancing": "workload_stabilization",
    "dummy": "dummy",
    "unclassified": "actuator",
    "thermal_optimization": "outlet_temperature",
    "airflow_optimization": "uniform_airflow",
    "noisy_neighbor": "noisy_neighbor",
    "saving_energy": "saving_energy",
    "hardware_maintenance": "zone_migration",
    "cluster_maintaining": "host_maintenance",
}


def select_strategy(registry: Registry, goal: str, strategy: str | None) -> StrategyDefinition:
    if strategy:
        return registry.strategy(strategy)
    preferred = registry.strategies.get(PREFERRED.get(goal, ""))
    if preferred is not None and preferred.goal == goal:
        return preferred
    for candidate in registry.strategies.values():
        if candidate.goal == goal:
            return candidate
    raise StrategyError(f"No strategy could be found to achieve the '{goal}' goal.")
