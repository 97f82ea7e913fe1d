"""node_resource_consolidation — consolidation on flavor allocations only (reference §4.14).

Nodes are walked from the least allocated vCPUs up: an empty node is *free*; a used node is a
*source* if all its servers fit (vCPUs, memory and disk, in their zone) on other nodes, else it
becomes a destination; a node that received servers is never emptied afterwards. Placement uses the
bisection packer (``strategies.packing``) instead of upstream's scan from the top of the list
for every server.

``host_choice``:

* ``auto`` — disable every free and source node (so Nova's scheduler avoids them), migrate
  each source's servers (live, or cold when stopped) without a destination, largest first,
  then re-enable the nodes it disabled (the planner ``node_resource_consolidation`` orders
  these steps). The placement found is the proof that the nodes left enabled can hold every
  server sent without a destination (``strategies.feasibility``). With nothing to move, the
  plan is empty: disabling and re-enabling idle nodes would be churn;
* ``specify`` — set each migration's ``destination_node`` to the placement found; no
  disable/enable.

In a continuous audit, a node whose emptying already failed (it was the source of a FAILED
migration in an earlier plan of the audit, ``context.failed_migration_sources``) is not tried
again: it is kept as a destination, as upstream does.
"""

from __future__ import annotations

from strategies.common import add_service_state, available_nodes
from strategies.consolidation import apply, empty_nodes
from strategies.packing import Packer
from watcher_celery.model import ClusterModel
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
    enabled = available_nodes(model)
    order = sorted(enabled, key=lambda n: (model.used(n.hostname).vcpus, n.hostname))
    keep = context.failed_migration_sources
    free_nodes = [n for n in order if not model.used(n.hostname).count and n.hostname not in keep]
    packer = Packer({n.hostname: model.free(n.hostname) for n in enabled})
    for node in free_nodes:
        packer.remove(node.hostname)
    moves = Solution()
    outcome = empty_nodes(
        model,
        [n.hostname for n in order],
        lambda i: (i.vcpus, i.memory, i.disk),
        packer,
        received=keep,
    )
    apply(outcome, model, moves)
    sources = [model.node(h) for h in outcome.released]
    solution = Solution()
    if not sources:
        free_nodes = []  # nothing moves: leave idle nodes as they are
    if not specify:
        for node in free_nodes + sources:
            add_service_state(solution, node, "disabled", REASON)
    for action in moves.actions:
        params = dict(action.input_parameters)
        resource_id = params.pop("resource_id")
        if not specify:
            params.pop("destination_node")
        solution.add_action(action.action_type, resource_id, params)
    if not specify:
        for node in free_nodes + sources:
            add_service_state(solution, node, "enabled")
    solution.set_indicator("compute_nodes_count", len(model.nodes))
    solution.set_indicator("released_compute_nodes_count", len(sources))
    solution.set_indicator("instance_migrations_count", outcome.migrations)
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
