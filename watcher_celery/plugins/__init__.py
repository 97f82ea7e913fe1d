"""Plugin interface: hook specifications, the plugin manager and the plain types plugins use."""

import pluggy

PROJECT = "watcher_celery"
hookimpl = pluggy.HookimplMarker(PROJECT)
hookspec = pluggy.HookspecMarker(PROJECT)

from watcher_celery.plugins.types import (  # noqa: E402
    ActionDefinition,
    DatasourceDefinition,
    GoalDefinition,
    IndicatorSpec,
    PlannedAction,
    PlannerDefinition,
    Solution,
    SolutionAction,
    StrategyContext,
    StrategyDefinition,
)

__all__ = [
    "ActionDefinition",
    "DatasourceDefinition",
    "GoalDefinition",
    "IndicatorSpec",
    "PlannedAction",
    "PlannerDefinition",
    "Solution",
    "SolutionAction",
    "StrategyContext",
    "StrategyDefinition",
    "hookimpl",
    "hookspec",
]
