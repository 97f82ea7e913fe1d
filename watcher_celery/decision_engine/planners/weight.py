"""The weight planner: sequential layers, each at most N parallel actions of one type.

Actions are grouped by their type's weight (heaviest first, solution order kept within a
weight), each group is cut into chunks of the type's parallelization, and every action of a
chunk gets all actions of the previous chunk as parents (reference §5.1).
"""

from __future__ import annotations

from collections.abc import Mapping

from watcher_celery.decision_engine.planners.settings import planner_option
from watcher_celery.errors import PluginError
from watcher_celery.plugins import PlannedAction, PlannerDefinition, SolutionAction

DEFAULT_WEIGHTS: Mapping[str, int] = {
    "nop": 70,
    "volume_migrate": 60,
    "change_nova_service_state": 50,
    "sleep": 40,
    "stop": 35,
    "migrate": 30,
    "resize": 20,
    "turn_host_to_acpi_s3_state": 10,
    "change_node_power_state": 9,
}

DEFAULT_PARALLELIZATION: Mapping[str, int] = {
    "nop": 1,
    "volume_migrate": 2,
    "change_nova_service_state": 1,
    "sleep": 1,
    "stop": 2,
    "migrate": 2,
    "resize": 2,
    "turn_host_to_acpi_s3_state": 2,
    "change_node_power_state": 2,
}


def plan(
    actions: list[SolutionAction],
    weights: Mapping[str, int] | None = None,
    parallelization: Mapping[str, int] | None = None,
) -> list[PlannedAction]:
    """Weights and parallelization default to ``WATCHER_PLANNERS`` over the built-in ones."""
    if weights is None:
        weights = planner_option("weight", "weights", DEFAULT_WEIGHTS)
    if parallelization is None:
        parallelization = planner_option("weight", "parallelization", DEFAULT_PARALLELIZATION)
    unknown = sorted({a.action_type for a in actions} - set(weights))
    if unknown:
        raise PluginError(f"The weight planner has no weight for action type(s): {unknown}")
    order = sorted(range(len(actions)), key=lambda i: -weights[actions[i].action_type])
    planned: list[PlannedAction] = []
    previous_chunk: tuple[int, ...] = ()
    position = 0
    while position < len(order):
        action_type = actions[order[position]].action_type
        width = max(1, parallelization.get(action_type, 1))
        chunk: list[int] = []
        while (
            position < len(order)
            and len(chunk) < width
            and actions[order[position]].action_type == action_type
        ):
            chunk.append(position)
            position += 1
        for index in chunk:
            source = actions[order[index]]
            planned.append(
                PlannedAction(source.action_type, dict(source.input_parameters), previous_chunk)
            )
        previous_chunk = tuple(chunk)
    return planned


WEIGHT_PLANNER = PlannerDefinition("weight", plan)
