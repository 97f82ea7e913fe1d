"""host_maintenance — empty one node for maintenance (goal ``cluster_maintaining``, §4.12).

The maintenance node is disabled (reason ``watcher_maintaining``) and its instances leave it:
to the backup node when one is given and has room for all of them (vCPU, memory, disk, zone),
else wherever Nova's scheduler puts them — but only when the other enabled nodes can hold them
all (``strategies.feasibility``); otherwise the audit fails with the reason. Active and paused
instances live-migrate (active ones cold when live migration is disabled), stopped ones
cold-migrate; with both kinds disabled, active instances are stopped instead. Instances in
other states (error, shelved, ...), excluded ones and members of an affinity server group (Nova's
filter refuses to move one away from the others) cannot leave and are not touched; an
anti-affinity member never goes to the backup node when another member is there.
"""

from __future__ import annotations

from strategies.common import add_migration, add_service_state, available_nodes
from strategies.feasibility import group_allows, held_by_group, scheduler_placement, zone_allows
from watcher_celery.errors import StrategyError
from watcher_celery.model import ClusterModel, Instance
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


def _kind(instance: Instance, params) -> str | None:
    """live, cold, stop, or None (stays): Nova live-migrates active and paused servers and
    cold-migrates active and stopped ones; anything else cannot leave."""
    live_off, cold_off = params["disable_live_migration"], params["disable_cold_migration"]
    if instance.watcher_exclude:
        return None
    if instance.state in ("active", "paused") and not live_off:
        return "live"
    if instance.state in ("active", "stopped") and not cold_off:
        return "cold"
    if instance.state == "active" and live_off and cold_off:
        return "stop"
    return None


def _backup_holds(model: ClusterModel, backup, instances: list[Instance]) -> bool:
    """The backup (once enabled) takes every instance: zone, vCPU, memory and disk."""
    if backup.state != "up" or backup.hostname == instances[0].host:
        return False
    if not all(zone_allows(backup, i) for i in instances):
        return False
    if not all(group_allows(model, i, backup.hostname) for i in instances):
        return False
    free = model.free(backup.hostname)
    need = [sum(getattr(i, k) for i in instances) for k in ("vcpus", "memory", "disk")]
    return all(n <= f for n, f in zip(need, free, strict=True))


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
    kinds = {i.uuid: None if held_by_group(model, i) else _kind(i, params) for i in instances}
    moving = [i for i in instances if kinds[i.uuid] in ("live", "cold")]
    if node.state != "up" and (moving or "stop" in kinds.values()):
        raise StrategyError(
            f"Compute node {node.hostname} is down: its instances cannot be migrated or "
            "stopped through it (they need an evacuation)"
        )
    destination = None
    if backup and moving and _backup_holds(model, backup, moving):
        if backup.status != "enabled":
            add_service_state(solution, backup, "enabled")
        destination = backup.hostname
    elif moving:
        left = [n.hostname for n in available_nodes(model) if n.hostname != node.hostname]
        if scheduler_placement(model, moving, left) is None:
            raise StrategyError(
                f"The other enabled compute nodes cannot hold the instances of "
                f"{node.hostname} (vCPU, memory, disk or availability zone): add capacity or "
                "name a backup_node with room for them"
            )
    add_service_state(solution, node, "disabled", REASON)
    for instance in instances:
        kind = kinds[instance.uuid]
        if kind == "stop":
            solution.add_action("stop", instance.uuid, {"resource_name": instance.name})
        elif kind is not None:
            add_migration(solution, instance, node.hostname, destination, kind)
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
