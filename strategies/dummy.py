"""The dummy strategy (goal ``dummy``): a fixed, harmless plan for checking the whole path.

It emits ``nop("hello World")``, ``nop(para2)`` and ``sleep(para1)``; it reads no cluster data.
"""

from __future__ import annotations

from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

PARAMETERS = {
    "properties": {
        "para1": {
            "description": "number parameter example",
            "type": "number",
            "default": 3.2,
            "minimum": 1.0,
            "maximum": 10.2,
        },
        "para2": {
            "description": "string parameter example",
            "type": "string",
            "default": "hello",
        },
    },
}


def execute(context: StrategyContext) -> Solution:
    solution = Solution()
    solution.add_action("nop", input_parameters={"message": "hello World"})
    solution.add_action("nop", input_parameters={"message": context.parameters["para2"]})
    solution.add_action("sleep", input_parameters={"duration": context.parameters["para1"]})
    return solution


DUMMY = StrategyDefinition(
    name="dummy",
    display_name="Dummy strategy",
    goal="dummy",
    execute=execute,
    parameters_schema=PARAMETERS,
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [DUMMY]
