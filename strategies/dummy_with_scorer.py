"""dummy_with_scorer (goal ``dummy``): a plan carrying the results of two small scorers.

Upstream feeds random telemetry to two scoring-engine plugins. Here the scorers are plain
functions of the parameters, so the plan is reproducible: ``linear`` scores (param1, len of
param2) with fixed weights, ``average`` is their mean. Three nops carry the results, then a
5 s sleep.
"""

from __future__ import annotations

from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

PARAMETERS = {
    "properties": {
        "param1": {
            "description": "number parameter example",
            "type": "number",
            "default": 3.2,
            "minimum": 1.0,
            "maximum": 10.2,
        },
        "param2": {"description": "string parameter example", "type": "string", "default": "hello"},
    },
}
WEIGHTS = (0.7, 0.3)


def linear_score(features: tuple[float, ...]) -> float:
    return round(sum(w * f for w, f in zip(WEIGHTS, features, strict=True)), 6)


def average_score(features: tuple[float, ...]) -> float:
    return round(sum(features) / len(features), 6)


def execute(context: StrategyContext) -> Solution:
    features = (float(context.parameters["param1"]), float(len(context.parameters["param2"])))
    solution = Solution()
    solution.add_action("nop", input_parameters={"message": context.parameters["param2"]})
    solution.add_action("nop", input_parameters={"message": f"linear={linear_score(features)}"})
    solution.add_action("nop", input_parameters={"message": f"average={average_score(features)}"})
    solution.add_action("sleep", input_parameters={"duration": 5.0})
    return solution


DUMMY_WITH_SCORER = StrategyDefinition(
    name="dummy_with_scorer",
    display_name="Dummy Strategy using sample Scoring Engines",
    goal="dummy",
    execute=execute,
    parameters_schema=PARAMETERS,
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [DUMMY_WITH_SCORER]
