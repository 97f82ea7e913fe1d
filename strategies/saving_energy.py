"""saving_energy — keep just enough idle hosts powered on (goal ``saving_energy``, §4.10).

Reads the compute and bare-metal models (no metrics). Compute nodes backed by a bare-metal node
not in maintenance are sorted into: hosting instances, free and powered on (hypervisor up),
free and powered off. The number of free hosts to keep on is
``max(ceil(hosting × free_used_percent / 100), min_free_hosts_num)``; extra free hosts are
powered off, missing ones powered on (``change_node_power_state``, resource_id = the bare-metal
node, resource_name = the hypervisor). Upstream picks the hosts at random and rounds the spare
count down; here the choice is reproducible and deliberate — disabled hosts (which Nova does
not schedule to, e.g. released by a consolidation) are powered off first, enabled ones powered
on first — and the count is rounded up, so the spare capacity asked for is never short.
A host with instances is never powered off.
"""

from __future__ import annotations

import math

from watcher_celery.model import ClusterModel, ComputeNode
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

PARAMETERS = {
    "properties": {
        "free_used_percent": {
            "description": "Free hosts to keep on, in % of the hosts running instances.",
            "type": "number",
            "minimum": 0,
            "default": 10.0,
        },
        "min_free_hosts_num": {
            "description": "Free hosts kept on, at least.",
            "type": "integer",
            "minimum": 0,
            "default": 1,
        },
    },
}


def _power(solution: Solution, node: ComputeNode, state: str) -> None:
    solution.add_action(
        "change_node_power_state",
        node.baremetal_uuid,
        {"state": state, "resource_name": node.hostname},
    )


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    params = context.parameters
    hosting, free_on, free_off = [], [], []
    for node in sorted(model.nodes.values(), key=lambda n: n.hostname):
        metal = model.baremetal.get(node.baremetal_uuid or "")
        if metal is None or metal.maintenance:
            continue
        if model.used(node.hostname).count:
            hosting.append(node)
        elif metal.power_state == "power on":
            if node.state == "up":
                free_on.append(node)
        elif metal.power_state == "power off":
            free_off.append(node)
    wanted = max(
        math.ceil(len(hosting) * float(params["free_used_percent"]) / 100.0),
        int(params["min_free_hosts_num"]),
    )
    solution = Solution()
    if len(free_on) > wanted:
        order = sorted(free_on, key=lambda n: (n.status == "enabled", n.hostname))
        for node in order[: len(free_on) - wanted]:
            _power(solution, node, "off")
    elif len(free_on) < wanted:
        order = sorted(free_off, key=lambda n: (n.status != "enabled", n.hostname))
        for node in order[: wanted - len(free_on)]:
            _power(solution, node, "on")
    return solution


SAVING_ENERGY = StrategyDefinition(
    name="saving_energy",
    display_name="Saving Energy Strategy",
    goal="saving_energy",
    execute=execute,
    parameters_schema=PARAMETERS,
    models=("compute", "baremetal"),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [SAVING_ENERGY]
