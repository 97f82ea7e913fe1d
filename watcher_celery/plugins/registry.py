"""Definitions gathered from all plugins, indexed by name, duplicates refused."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from watcher_celery.errors import PluginError
from watcher_celery.plugins.manager import get_plugin_manager
from watcher_celery.plugins.metrics import METRICS
from watcher_celery.plugins.parameters import check_schema
from watcher_celery.plugins.types import (
    ActionDefinition,
    DatasourceDefinition,
    GoalDefinition,
    PlannerDefinition,
    StrategyDefinition,
)

T = TypeVar(
    "T",
    GoalDefinition,
    StrategyDefinition,
    PlannerDefinition,
    ActionDefinition,
    DatasourceDefinition,
)


def _index(kind: str, lists: Iterable[list[T]]) -> dict[str, T]:
    found: dict[str, T] = {}
    for definitions in lists:
        for definition in definitions:
            if definition.name in found:
                raise PluginError(f"{kind} '{definition.name}' is registered twice")
            found[definition.name] = definition
    return found


def _lookup(kind: str, definitions: dict[str, T], name: str) -> T:
    try:
        return definitions[name]
    except KeyError:
        raise PluginError(f"{kind} '{name}' is not installed") from None


@dataclass(frozen=True)
class Registry:
    goals: dict[str, GoalDefinition]
    strategies: dict[str, StrategyDefinition]
    planners: dict[str, PlannerDefinition]
    actions: dict[str, ActionDefinition]
    datasources: dict[str, DatasourceDefinition]

    def goal(self, name: str) -> GoalDefinition:
        return _lookup("Goal", self.goals, name)

    def strategy(self, name: str) -> StrategyDefinition:
        return _lookup("Strategy", self.strategies, name)

    def planner(self, name: str) -> PlannerDefinition:
        return _lookup("Planner", self.planners, name)

    def action(self, name: str) -> ActionDefinition:
        return _lookup("Action type", self.actions, name)

    def datasource(self, name: str) -> DatasourceDefinition:
        return _lookup("Datasource", self.datasources, name)

    def validate(self) -> None:
        """Every strategy's goal and planner must be installed, its declarations well-formed."""
        for strategy in self.strategies.values():
            _check_declarations(strategy)
            if strategy.goal not in self.goals:
                raise PluginError(
                    f"Strategy '{strategy.name}' names unknown goal '{strategy.goal}'"
                )
            if strategy.planner not in self.planners:
                raise PluginError(
                    f"Strategy '{strategy.name}' names unknown planner '{strategy.planner}'"
                )


MODELS = ("compute", "storage", "baremetal")


def _check_declarations(strategy: StrategyDefinition) -> None:
    """Refuse at load time what would otherwise fail in the middle of an audit."""
    unknown_models = sorted(set(strategy.models) - set(MODELS))
    unknown_metrics = sorted(set(strategy.metrics) - set(METRICS))
    if unknown_models or unknown_metrics:
        raise PluginError(
            f"Strategy '{strategy.name}' declares unknown models {unknown_models} "
            f"or metrics {unknown_metrics}"
        )
    if strategy.action_execution_rule not in ("ALWAYS", "ANY"):
        raise PluginError(f"Strategy '{strategy.name}' has an unknown action execution rule")
    try:
        check_schema(strategy.parameters_schema)
    except ValueError as exc:
        raise PluginError(f"Strategy '{strategy.name}' has a bad parameter schema: {exc}") from None


@functools.cache
def get_registry() -> Registry:
    """Build the registry from the plugin manager, once per process."""
    hook = get_plugin_manager().hook
    registry = Registry(
        goals=_index("Goal", hook.watcher_goals()),
        strategies=_index("Strategy", hook.watcher_strategies()),
        planners=_index("Planner", hook.watcher_planners()),
        actions=_index("Action type", hook.watcher_actions()),
        datasources=_index("Datasource", hook.watcher_datasources()),
    )
    registry.validate()
    return registry
