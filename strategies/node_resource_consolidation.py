"""node_resource_consolidation — consolidation on flavor allocations only (reference §4.14).

Nodes are walked from the least allocated vCPUs up: an empty node is *free*; a used node is a
*source* if all its servers fit (vCPUs and memory) on nodes more used than itself, else it
becomes a destination. Placement uses the bisection packer (``strategies.packing``) instead of
upstream's scan from the top of the list for every server.

``host_choice``:

* ``auto`` — disable every free and source node (so Nova's scheduler avoids them), live-migrate
  each source's servers without a destination, largest first, then re-enable the nodes it
  disabled (the planner ``node_resource_consolidation`` orders these steps);
* ``specify`` — set each migration's ``destination_node`` to the placement found; no
  disable/enable.

Not reproduced: upstream also turns nodes with FAILED migrations in earlier plans of a
continuous audit into destinations; a strategy here sees the cluster, not plan history.
"""

from __future__ import annotations

from strategies.common import add_migration, add_service_state, available_nodes, movable
from strategies.packing import Packer
from watcher_celery.decision_engine.model import ClusterModel
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

REASON = "Watcher node resource consolidation strategy"
PARAMETERS = {
    "properties": {
        "host_choice": {
            "description": "auto: Nova's scheduler picks destinations; specify: the strategy does.",
            "type": "string",
            "enum": ["auto", "specify"],
            "default": "auto",
        },
    },
}


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    specify = context.parameters["host_choice"] == "specify"
    solution = Solution()
    enabled = available_nodes(model)
    order = sorted(enabled, key=lambda n: (model.used(n.hostname).vcpus, n.hostname))
    packer = Packer({n.hostname: model.free(n.hostname)[:2] for n in enabled})
    free_nodes, sources = [], []
    plans: list[tuple[str, list]] = []
    for node in order:
        instances = model.instances_on(node.hostname)
        packer.remove(node.hostname)
        if not instances:
            free_nodes.append(node)
            continue
        if not all(movable(i) and i.state != "stopped" for i in instances):
            packer.insert(node.hostname, model.free(node.hostname)[:2])
            continue
        moves = []
        for instance in sorted(instances, key=lambda i: (-i.vcpus, -i.memory, i.uuid)):
            destination = packer.place((instance.vcpus, instance.memory))
            if destination is None:
                break
            moves.append((instance, destination))
        if len(moves) < len(instances):
            packer.rollback()
            packer.insert(node.hostname, model.free(node.hostname)[:2])
            continue
        packer.commit()
        sources.append(node)
        plans.append((node.hostname, moves))
    if not specify:
        for node in free_nodes + sources:
            add_service_state(solution, node, "disabled", REASON)
    migrations = 0
    for source, moves in plans:
        for instance, destination in moves:
            add_migration(solution, instance, source, destination if specify else None, "live")
            model.migrate_instance(instance.uuid, destination)
            migrations += 1
    if not specify:
        for node in free_nodes + sources:
            add_service_state(solution, node, "enabled")
    solution.set_indicator("compute_nodes_count", len(model.nodes))
    solution.set_indicator("released_compute_nodes_count", len(sources))
    solution.set_indicator("instance_migrations_count", migrations)
    return solution


NODE_RESOURCE_CONSOLIDATION = StrategyDefinition(
    name="node_resource_consolidation",
    display_name="Node resource consolidation strategy",
    goal="server_consolidation",
    execute=execute,
    parameters_schema=PARAMETERS,
    planner="node_resource_consolidation",
    models=("compute",),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [NODE_RESOURCE_CONSOLIDATION]
