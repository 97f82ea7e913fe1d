"""Plain values exchanged with plugins: definitions they register and the solution they return.

Nothing here imports Celery, Flask or the database: a strategy sees data, not services.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

RESERVED_PARAMETER = "resource_id"


@dataclass(frozen=True)
class IndicatorSpec:
    """One efficacy indicator a goal defines: its JSON schema and whether it is required."""

    name: str
    description: str
    schema: Mapping[str, Any]
    unit: str | None = None
    required: bool = True


@dataclass(frozen=True)
class GoalDefinition:
    """A goal: what an audit optimises for, and how its efficacy is measured."""

    name: str
    display_name: str
    indicators: tuple[IndicatorSpec, ...] = ()
    # Maps the indicator values of a solution to the global efficacy list
    # ``[{name, description, unit, value}]``; None means the goal has no global efficacy.
    global_efficacy: Callable[[Mapping[str, Any]], list[dict[str, Any]]] | None = None


@dataclass(frozen=True)
class SolutionAction:
    """An action a strategy wants, before planning gives it parents."""

    action_type: str
    input_parameters: dict[str, Any]


def _identity(action_type: str, params: Mapping[str, Any]) -> Any:
    """A hashable identity of an action: flat parameters as a frozenset, else canonical JSON."""
    try:
        return (action_type, frozenset(params.items()))
    except TypeError:
        return (action_type, json.dumps(params, sort_keys=True, default=str))


@dataclass
class Solution:
    """What a strategy returns: actions in the order it wants them, and indicator values."""

    actions: list[SolutionAction] = field(default_factory=list)
    indicators: dict[str, Any] = field(default_factory=dict)
    # Keys of the actions already added: duplicates are found in O(1), not by a list scan.
    _seen: set[Any] = field(default_factory=set, repr=False, compare=False)

    def add_action(
        self,
        action_type: str,
        resource_id: str | None = None,
        input_parameters: Mapping[str, Any] | None = None,
    ) -> None:
        """Append an action; ``resource_id`` is reserved and goes into the parameters.

        An action identical to one already in the solution is dropped.
        """
        params = dict(input_parameters or {})
        if RESERVED_PARAMETER in params:
            raise ValueError(f"'{RESERVED_PARAMETER}' is reserved: pass it as resource_id")
        if resource_id is not None:
            params[RESERVED_PARAMETER] = resource_id
        key = _identity(action_type, params)
        if len(self._seen) != len(self.actions):  # actions appended directly
            self._seen = {_identity(a.action_type, a.input_parameters) for a in self.actions}
        if key not in self._seen:
            self._seen.add(key)
            self.actions.append(SolutionAction(action_type, params))

    def set_indicator(self, name: str, value: Any) -> None:
        self.indicators[name] = value


@dataclass(frozen=True)
class StrategyContext:
    """Everything a strategy may read: the scoped cluster model, metrics and its parameters."""

    parameters: Mapping[str, Any]
    model: Any = None
    metrics: Any = None
    audit_uuid: str = ""
    audit_type: str = "ONESHOT"
    # Hostnames that were the source of a FAILED migration in an earlier plan of this
    # (continuous) audit: emptying them did not work, so strategies may keep them as
    # destinations instead of trying again.
    failed_migration_sources: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StrategyDefinition:
    """A strategy: which goal it serves, its parameter schema and the function that solves."""

    name: str
    display_name: str
    goal: str
    execute: Callable[[StrategyContext], Solution]
    parameters_schema: Mapping[str, Any] = field(default_factory=dict)
    planner: str = "weight"
    # Data models the strategy needs ("compute", "storage", "baremetal"); none for dummies.
    models: tuple[str, ...] = ()
    # Metric names (reference §9.1) the strategy reads from a datasource.
    metrics: tuple[str, ...] = ()
    # ALWAYS: children of an action run whatever its outcome. ANY: they run only if it failed.
    action_execution_rule: str = "ALWAYS"


@dataclass(frozen=True)
class PlannedAction:
    """An action with its place in the plan's DAG: ``parents`` index into the planned list."""

    action_type: str
    input_parameters: dict[str, Any]
    parents: tuple[int, ...] = ()


@dataclass(frozen=True)
class PlannerDefinition:
    """A planner: turns the solution's ordered actions into a DAG."""

    name: str
    plan: Callable[[list[SolutionAction]], list[PlannedAction]]


@dataclass(frozen=True)
class ActionDefinition:
    """An action type the applier can run: its class (see ``applier.actions.base``)."""

    name: str
    description: str
    factory: Callable[..., Any]
    schema: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DatasourceDefinition:
    """A metrics backend: ``factory(cloud, settings)`` returns a new ``Datasource`` for one
    audit run, or None when the backend cannot serve this deployment (e.g. not configured)."""

    name: str
    factory: Callable[[Any, Any], Any]
    description: str = ""
