"""The sequence planner: the actions in the strategy's order, each the parent of the next.

For plans an operator wrote by hand (the ``actuator`` strategy: "the actions of the plan, in
order"), where the weight planner's reordering by action type would change what was asked.
"""

from __future__ import annotations

from watcher_celery.plugins import PlannedAction, PlannerDefinition, SolutionAction


def plan(actions: list[SolutionAction]) -> list[PlannedAction]:
    return [
        PlannedAction(a.action_type, dict(a.input_parameters), (i - 1,) if i else ())
        for i, a in enumerate(actions)
    ]


SEQUENCE_PLANNER = PlannerDefinition("sequence", plan)
