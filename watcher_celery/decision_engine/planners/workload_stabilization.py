"""The workload_stabilization planner: mostly parallel, ordered only where resources meet (§5.2).

Actions are placed heaviest weight first (solution order kept within a weight). Migrations,
service-state changes, sleeps and nops have no parents, so the applier runs them as one wide
frontier; a resize waits for earlier actions on the same instance; a host power-off
(``turn_host_to_acpi_s3_state``) waits for every migration and resize touching that host.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from watcher_celery.decision_engine.planners.settings import planner_option
from watcher_celery.errors import PluginError
from watcher_celery.plugins import PlannedAction, PlannerDefinition, SolutionAction

DEFAULT_WEIGHTS: Mapping[str, int] = {
    "turn_host_to_acpi_s3_state": 0,
    "resize": 1,
    "migrate": 2,
    "sleep": 3,
    "change_nova_service_state": 4,
    "nop": 5,
}


def plan(
    actions: list[SolutionAction], weights: Mapping[str, int] | None = None
) -> list[PlannedAction]:
    if weights is None:
        weights = planner_option("workload_stabilization", "weights", DEFAULT_WEIGHTS)
    unknown = sorted({a.action_type for a in actions} - set(weights))
    if unknown:
        raise PluginError(
            f"The workload_stabilization planner has no weight for action type(s): {unknown}"
        )
    ordered = sorted(actions, key=lambda a: -weights[a.action_type])
    by_instance: dict[str, list[int]] = defaultdict(list)
    by_host: dict[str, list[int]] = defaultdict(list)
    planned: list[PlannedAction] = []
    for index, action in enumerate(ordered):
        params = action.input_parameters
        resource = params.get("resource_id")
        parents: tuple[int, ...] = ()
        if action.action_type == "migrate":
            by_instance[resource].append(index)
            for key in ("source_node", "destination_node"):
                if params.get(key):
                    by_host[params[key]].append(index)
        elif action.action_type == "resize":
            parents = tuple(by_instance[resource])
            by_instance[resource].append(index)
        elif action.action_type == "turn_host_to_acpi_s3_state":
            host = params.get("resource_name") or resource
            parents = tuple(sorted(set(by_host[host])))
        planned.append(PlannedAction(action.action_type, dict(params), parents))
        if action.action_type == "resize":
            for parent in parents:
                host = planned[parent].input_parameters.get("destination_node")
                if host:
                    by_host[host].append(index)
    return planned


WORKLOAD_STABILIZATION_PLANNER = PlannerDefinition("workload_stabilization", plan)
