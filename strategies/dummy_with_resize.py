"""dummy_with_resize (goal ``dummy``): a fixed plan with migrations and a resize, for checks.

Reference §4.1: two nops, a 5 s sleep, a live migration compute2 → compute3 and a resize to
flavor ``x2`` of fixed instance UUIDs. It reads no cluster data: it exercises planners and the
applier's handling of many action types, not a cloud.
"""

from __future__ import annotations

from strategies.dummy import PARAMETERS
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

INSTANCE_A = "a5b4bd8b-1b9d-4e64-9a6b-06bdc1f1e1a5"
INSTANCE_B = "c3a8b9b1-0f8e-4ae6-9d12-7a8d9d1fb2c4"


def execute(context: StrategyContext) -> Solution:
    solution = Solution()
    solution.add_action("nop", input_parameters={"message": "hello World"})
    solution.add_action("nop", input_parameters={"message": "Welcome"})
    solution.add_action("sleep", input_parameters={"duration": 5.0})
    for instance in (INSTANCE_A, INSTANCE_B):
        solution.add_action(
            "migrate",
            instance,
            {"migration_type": "live", "source_node": "compute2", "destination_node": "compute3"},
        )
    solution.add_action("resize", INSTANCE_A, {"flavor": "x2"})
    return solution


DUMMY_WITH_RESIZE = StrategyDefinition(
    name="dummy_with_resize",
    display_name="Dummy strategy with resize",
    goal="dummy",
    execute=execute,
    parameters_schema=PARAMETERS,
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [DUMMY_WITH_RESIZE]
