"""Built-in planners, registered through the plugin entry-point group."""

from watcher_celery.decision_engine.planners.weight import WEIGHT_PLANNER
from watcher_celery.plugins import PlannerDefinition, hookimpl


@hookimpl
def watcher_planners() -> list[PlannerDefinition]:
    return [WEIGHT_PLANNER]
