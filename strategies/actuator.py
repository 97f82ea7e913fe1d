"""actuator (goal ``unclassified``): the plan is the ``actions`` parameter, verbatim (§4.2).

The ``sequence`` planner keeps the operator's order, each action after the previous one (the
weight planner would regroup them by type, which is not what "in order" says).

Used to build arbitrary plans and event-triggered ones. The action types must be installed
(checked here, so a typo fails the audit with a clear message rather than the applier later).
"""

from __future__ import annotations

from watcher_celery.errors import StrategyError
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl
from watcher_celery.plugins.registry import get_registry

PARAMETERS = {
    "properties": {
        "actions": {
            "description": "The actions of the plan, in order.",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "action_type": {"type": "string"},
                    "resource_id": {"type": "string"},
                    "input_parameters": {"type": "object"},
                },
                "required": ["action_type", "input_parameters"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["actions"],
}


def execute(context: StrategyContext) -> Solution:
    installed = get_registry().actions
    solution = Solution()
    for item in context.parameters["actions"]:
        if item["action_type"] not in installed:
            raise StrategyError(f"Action type '{item['action_type']}' is not installed")
        solution.add_action(item["action_type"], item.get("resource_id"), item["input_parameters"])
    return solution


ACTUATOR = StrategyDefinition(
    name="actuator",
    display_name="Actuator",
    goal="unclassified",
    execute=execute,
    parameters_schema=PARAMETERS,
    planner="sequence",
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [ACTUATOR]
