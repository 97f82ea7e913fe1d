"""Built-in planners, registered through the plugin entry-point group."""

from watcher_celery.decision_engine.planners.node_resource_consolidation import (
    NODE_RESOURCE_CONSOLIDATION_PLANNER,
)
from watcher_celery.decision_engine.planners.sequence import SEQUENCE_PLANNER
from watcher_celery.decision_engine.planners.weight import WEIGHT_PLANNER
from watcher_celery.decision_engine.planners.workload_stabilization import (
    WORKLOAD_STABILIZATION_PLANNER,
)
from watcher_celery.plugins import PlannerDefinition, hookimpl

__all__ = [
    "NODE_RESOURCE_CONSOLIDATION_PLANNER",
    "SEQUENCE_PLANNER",
    "WEIGHT_PLANNER",
    "WORKLOAD_STABILIZATION_PLANNER",
]


@hookimpl
def watcher_planners() -> list[PlannerDefinition]:
    return [
        WEIGHT_PLANNER,
        WORKLOAD_STABILIZATION_PLANNER,
        NODE_RESOURCE_CONSOLIDATION_PLANNER,
        SEQUENCE_PLANNER,
    ]
