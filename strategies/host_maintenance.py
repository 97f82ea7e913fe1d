"""host_maintenance — empty one node for maintenance (goal ``cluster_maintaining``, §4.12).

The maintenance node is disabled (reason ``watcher_maintaining``) and its instances leave it:
to the backup node when one is given and has room for all of them, else wherever Nova's
scheduler puts them. Active instances live-migrate (cold if live migration is disabled), the
others cold-migrate; with both kinds disabled, active instances are stopped instead.
"""

from __future__ import annotations

from strategies.common import add_migration, add_service_state
from watcher_celery.decision_engine.model import ClusterModel, Instance
from watcher_celery.errors import StrategyError
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

REASON = "watcher_maintaining"
PARAMETERS = {
    "properties": {
        "maintenance_node": {"description": "Hostname of the node to empty.", "type": "string"},
        "backup_node": {"description": "Hostname receiving the instances.", "type": "string"},
        "disable_live_migration": {"type": "boolean", "default": False},
        "disable_cold_migration": {"type": "boolean", "default": False},
    },
    "required": ["maintenance_node"],
}


def _node(model: ClusterModel, hostname: str):
    if hostname not in model.nodes:
        raise StrategyError(f"Compute node '{hostname}' is not in the audit scope")
    return model.node(hostname)


def _evacuate(
    solution: Solution, instance: Instance, source: str, destination: str | None, params
) -> None:
    live_off, cold_off = params["disable_live_migration"], params["disable_cold_migration"]
    if instance.state == "active":
        if not live_off:
            add_migration(solution, instance, source, destination, "live")
        elif not cold_off:
            add_migration(solution, instance, source, destination, "cold")
        else:
            solution.add_action("stop", instance.uuid, {"resource_name": instance.name})
    elif not cold_off:
        add_migration(solution, instance, source, destination, "cold")


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    params = context.parameters
    node = _node(model, params["maintenance_node"])
    backup = _node(model, params["backup_node"]) if params.get("backup_node") else None
    solution = Solution()
    instances = sorted(model.instances_on(node.hostname), key=lambda i: i.uuid)
    already = node.status == "disabled" and node.disabled_reason == REASON
    if not instances and not already:
        add_service_state(solution, node, "disabled", REASON)
        return solution
    used = model.used(node.hostname)
    free_vcpus, free_memory, _ = model.free(backup.hostname) if backup else (0, 0, 0)
    destination = None
    if backup and used.vcpus <= free_vcpus and used.memory <= free_memory:
        if backup.status != "enabled":
            add_service_state(solution, backup, "enabled")
        destination = backup.hostname
    add_service_state(solution, node, "disabled", REASON)
    for instance in instances:
        _evacuate(solution, instance, node.hostname, destination, params)
    return solution


HOST_MAINTENANCE = StrategyDefinition(
    name="host_maintenance",
    display_name="Host Maintenance Strategy",
    goal="cluster_maintaining",
    execute=execute,
    parameters_schema=PARAMETERS,
    models=("compute",),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [HOST_MAINTENANCE]
