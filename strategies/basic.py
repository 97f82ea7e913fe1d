"""basic — offline server consolidation (goal ``server_consolidation``, reference §4.3).

What it does: empties the cheapest nodes to empty into the tightest nodes that still fit their
instances' flavors, and disables every node it empties.

Where it differs from upstream, on purpose (see docs/strategies.md):

* Nodes are emptied in order of how much of one resource they hold, least first, then by
  measured CPU; the plan is made with each of vCPU, RAM and disk as that resource and the one
  releasing most nodes is kept. Upstream ranks by the mean of (cpu, 0, 0), i.e. cpu/3, and
  treats a missing CPU metric as 100 %, so which node it tries first has nothing to do with
  whether its instances can fit elsewhere.
* A node is emptied all-or-nothing, instances largest first (first-fit decreasing), so no
  migration is planned that does not release a node.
* Destinations are found by bisection over free vCPUs (``strategies.packing``), so an audit of
  10,000 nodes and 200,000 instances takes seconds instead of growing with the square.
"""

from __future__ import annotations

from strategies.common import (
    AGGREGATION_METHOD_SCHEMA,
    WATCHER_DISABLED,
    add_service_state,
    available_nodes,
    up_nodes,
)
from strategies.consolidation import apply, best_emptying
from strategies.packing import Packer, scarcity_order
from watcher_celery.model import ClusterModel, ComputeNode
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

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
        "aggregation_method": AGGREGATION_METHOD_SCHEMA,
    },
}


def _cpu_percent(node: ComputeNode, context: StrategyContext) -> float:
    """Measured CPU of a node; a missing metric counts as idle-unknown (0), not as 100 %."""
    params = context.parameters
    aggregate = params["aggregation_method"]["compute_node"] or "mean"
    if context.metrics is None:
        return 0.0
    cpu = context.metrics.host_metric(node, "host_cpu_usage", int(params["period"]), aggregate)
    return 0.0 if cpu is None else cpu


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    solution = Solution()
    enabled = available_nodes(model)
    # An empty node is already free: filling it would release nothing.
    packer = Packer(
        {n.hostname: model.free(n.hostname) for n in enabled if model.used(n.hostname).count}
    )
    sources = [n for n in up_nodes(model) if model.used(n.hostname).count]
    cpu = {n.hostname: _cpu_percent(n, context) for n in sources}
    used = {n.hostname: model.used(n.hostname) for n in sources}

    def order(key: int) -> list[str]:
        amount = {h: (u.vcpus, u.memory, u.disk)[key] for h, u in used.items()}
        return sorted(amount, key=lambda h: (amount[h], cpu[h], h))

    capacity = {n.hostname: (n.vcpu_capacity, n.memory_capacity, n.disk_capacity) for n in enabled}
    outcome = best_emptying(
        model,
        order,
        lambda i: (i.vcpus, i.memory, i.disk),
        packer,
        keys=range(3),
        # The scarcest resource's pass tends to release most: tried first, it lets the other
        # passes stop early.
        first=scarcity_order(packer.free, capacity)[0],
        max_failures=int(context.parameters["migration_attempts"]),
    )
    apply(outcome, model, solution)
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
