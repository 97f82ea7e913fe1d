"""basic — offline server consolidation (goal ``server_consolidation``, reference §4.3).

What it does: empties the least loaded nodes into the tightest nodes that still fit their
instances' flavors, and disables every node it empties.

Where it differs from upstream, on purpose (see docs/strategies.md):

* A node's load is its *dominant* resource: the largest of its measured CPU fraction and its
  allocated RAM and disk fractions. Upstream averages CPU with RAM and disk fixed at 0, i.e.
  ranks by cpu/3, and treats a missing CPU metric as 100 %; here a missing metric falls back
  to the allocated vCPU fraction.
* A node is emptied all-or-nothing, instances largest first (first-fit decreasing), so no
  migration is planned that does not release a node.
* Destinations are found by bisection over free vCPUs (``strategies.packing``), so an audit of
  10,000 nodes and 200,000 instances takes seconds instead of growing with the square.
"""

from __future__ import annotations

from strategies.common import WATCHER_DISABLED, add_service_state, available_nodes, up_nodes
from strategies.consolidation import empty_nodes
from strategies.packing import Packer
from watcher_celery.decision_engine.model import ClusterModel, ComputeNode
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

AGGREGATES = ["mean", "min", "max", "count"]
PARAMETERS = {
    "properties": {
        "migration_attempts": {
            "description": "Stop after this many nodes could not be emptied (0: try them all).",
            "type": "number",
            "minimum": 0,
            "default": 0,
        },
        "period": {
            "description": "Seconds of metrics the CPU load is averaged over.",
            "type": "number",
            "minimum": 0,
            "default": 7200,
        },
        "granularity": {
            "description": "Seconds between two metric samples.",
            "type": "number",
            "minimum": 1,
            "default": 300,
        },
        "aggregation_method": {
            "description": "How metric samples are aggregated, per resource type.",
            "type": "object",
            "properties": {
                "instance": {"type": "string", "enum": AGGREGATES, "default": "mean"},
                "compute_node": {"type": "string", "enum": AGGREGATES, "default": "mean"},
                "node": {"type": "string", "default": ""},
            },
            "default": {"instance": "mean", "compute_node": "mean", "node": ""},
        },
    },
}


def node_load(model: ClusterModel, node: ComputeNode, context: StrategyContext) -> float:
    """The dominant resource fraction of a node (0..1+)."""
    used = model.used(node.hostname)
    params = context.parameters
    aggregate = params["aggregation_method"]["compute_node"] or "mean"
    cpu = None
    if context.metrics is not None:
        cpu = context.metrics.host_metric(node, "host_cpu_usage", int(params["period"]), aggregate)
    cpu_fraction = cpu / 100.0 if cpu is not None else used.vcpus / max(node.vcpu_capacity, 1)
    return max(
        cpu_fraction,
        used.memory / max(node.memory_capacity, 1),
        used.disk / max(node.disk_capacity, 1),
    )


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    solution = Solution()
    enabled = available_nodes(model)
    sources = [n for n in up_nodes(model) if model.used(n.hostname).count]
    sources.sort(key=lambda n: (node_load(model, n, context), n.hostname))
    # An empty node is already free: filling it would release nothing.
    packer = Packer(
        {n.hostname: model.free(n.hostname) for n in enabled if model.used(n.hostname).count}
    )
    outcome = empty_nodes(
        model,
        (n.hostname for n in sources),
        lambda i: (i.vcpus, i.memory, i.disk),
        packer,
        solution,
        max_failures=int(context.parameters["migration_attempts"]),
    )
    for hostname in outcome.released:
        node = model.node(hostname)
        if node.status == "enabled":
            add_service_state(solution, node, "disabled", WATCHER_DISABLED)
    solution.set_indicator("compute_nodes_count", len(enabled))
    solution.set_indicator("released_compute_nodes_count", len(outcome.released))
    solution.set_indicator("instance_migrations_count", outcome.migrations)
    return solution


BASIC = StrategyDefinition(
    name="basic",
    display_name="Basic offline consolidation",
    goal="server_consolidation",
    execute=execute,
    parameters_schema=PARAMETERS,
    models=("compute",),
    metrics=("host_cpu_usage",),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [BASIC]
