"""The node_resource_consolidation planner: disable, migrate per source node, re-enable (§5.3).

All "disable" service-state changes come first, without parents. Migrations are grouped by
``source_node``; each group is a chain (one migration at a time off a node) whose first link
waits for every disable, and the groups run in parallel. Every "enable" waits for the last
migration of every chain (or for the disables when nothing migrates).
"""

from __future__ import annotations

from collections.abc import Mapping

from watcher_celery.errors import PluginError
from watcher_celery.plugins import PlannedAction, PlannerDefinition, SolutionAction

ALLOWED = frozenset({"change_nova_service_state", "migrate"})


def plan(actions: list[SolutionAction]) -> list[PlannedAction]:
    unsupported = sorted({a.action_type for a in actions} - ALLOWED)
    if unsupported:
        raise PluginError(
            f"The node_resource_consolidation planner cannot plan action type(s): {unsupported}"
        )
    states = [a for a in actions if a.action_type != "migrate"]
    disables = [a for a in states if a.input_parameters["state"] != "enabled"]
    enables = [a for a in states if a.input_parameters["state"] == "enabled"]
    planned = [PlannedAction(a.action_type, dict(a.input_parameters)) for a in disables]
    disable_ids = tuple(range(len(planned)))
    last_of: dict[str, int] = {}
    for action in actions:
        if action.action_type != "migrate":
            continue
        source: Mapping = action.input_parameters
        previous = last_of.get(source["source_node"])
        parents = disable_ids + ((previous,) if previous is not None else ())
        last_of[source["source_node"]] = len(planned)
        planned.append(PlannedAction("migrate", dict(source), parents))
    tails = tuple(sorted(last_of.values())) or disable_ids
    planned.extend(PlannedAction(a.action_type, dict(a.input_parameters), tails) for a in enables)
    return planned


NODE_RESOURCE_CONSOLIDATION_PLANNER = PlannerDefinition("node_resource_consolidation", plan)
