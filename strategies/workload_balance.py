"""workload_balance — bring every host under a load threshold (goal ``workload_balancing``, §4.5).

A host's load is the sum of its instances' workload (``instance_cpu_usage`` × vCPUs in cores,
or ``instance_ram_usage`` in MB) over its vCPUs (or MB), in %. Hosts at or above ``threshold``
are sources, the others targets. Upstream plans at most one migration per audit and leaves the
rest to the next run of a continuous audit; here one audit plans them all: sources, busiest
first, shed active instances until under the threshold — first the smallest instance whose
workload alone brings the host under (one move), else the largest one that fits somewhere —
each to the least loaded target that stays under the threshold with it and can take it
(``strategies.feasibility``). An instance moves at most once; instances without a metric
count as idle and do not move.
"""

from __future__ import annotations

import heapq
import statistics

from strategies.common import add_migration, available_nodes
from strategies.feasibility import can_move, may_move
from watcher_celery.model import ClusterModel, Instance
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

CPU, RAM = "instance_cpu_usage", "instance_ram_usage"
TRIES = 32  # targets tried per instance, least loaded first
PARAMETERS = {
    "properties": {
        "metrics": {
            "description": "Workload metric to balance.",
            "type": "string",
            "enum": [CPU, RAM],
            "default": CPU,
        },
        "threshold": {
            "description": "Host load (%) at or above which a host sheds instances.",
            "type": "number",
            "minimum": 0,
            "maximum": 100,
            "default": 25.0,
        },
        "period": {
            "description": "Seconds of metrics averaged.",
            "type": "number",
            "minimum": 0,
            "default": 300,
        },
        "granularity": {
            "description": "Seconds between two metric samples.",
            "type": "number",
            "minimum": 1,
            "default": 300,
        },
    },
}


def _workloads(context: StrategyContext, model: ClusterModel, hosts: list[str]):
    metric, period = context.parameters["metrics"], int(context.parameters["period"])
    work: dict[str, float] = {}
    for hostname in hosts:
        for instance in model.iter_instances_on(hostname):
            value = context.metrics.instance_metric(instance, metric, period)
            if value is not None:
                work[instance.uuid] = instance.vcpus * value / 100.0 if metric == CPU else value
    return work


def _pick(instances: list[Instance], work: dict[str, float], excess: float) -> list[Instance]:
    """Candidates in the order tried: the smallest that alone suffices, then largest first."""
    enough = sorted((i for i in instances if work[i.uuid] >= excess), key=lambda i: work[i.uuid])
    rest = sorted((i for i in instances if work[i.uuid] < excess), key=lambda i: -work[i.uuid])
    return enough[:1] + rest + enough[1:]


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    params = context.parameters
    ram = params["metrics"] == RAM
    hosts = [n.hostname for n in available_nodes(model)]
    work = _workloads(context, model, hosts)
    capacity = {
        h: float(model.nodes[h].memory if ram else model.nodes[h].vcpus) or 1.0 for h in hosts
    }
    load = {h: sum(work.get(i.uuid, 0.0) for i in model.iter_instances_on(h)) for h in hosts}
    limit = float(params["threshold"]) / 100.0
    before = [load[h] / capacity[h] for h in hosts]
    sources = sorted(
        (h for h in hosts if load[h] >= limit * capacity[h]), key=lambda h: -load[h] / capacity[h]
    )
    targets = [(load[h] / capacity[h], h) for h in hosts if load[h] < limit * capacity[h]]
    heapq.heapify(targets)
    solution = Solution()
    moved = 0
    for source in sources:
        while load[source] >= limit * capacity[source]:
            excess = load[source] - limit * capacity[source] + 1e-9
            movable_here = [
                i for i in model.instances_on(source)
                if may_move(model, i) and i.state == "active" and work.get(i.uuid, 0.0) > 0
            ]  # fmt: skip
            found = _move_one(model, targets, load, capacity, limit, work, movable_here, excess)
            if found is None:
                break
            instance, destination = found
            add_migration(solution, instance, source, destination, "live")
            model.migrate_instance(instance.uuid, destination)
            load[source] -= work[instance.uuid]
            load[destination] += work[instance.uuid]
            heapq.heappush(targets, (load[destination] / capacity[destination], destination))
            moved += 1
    after = [load[h] / capacity[h] for h in hosts]
    solution.set_indicator("instance_migrations_count", moved)
    solution.set_indicator("instances_count", len(work))
    if len(hosts) > 1:
        solution.set_indicator(
            "standard_deviation_before_audit", round(statistics.pstdev(before), 6)
        )
        solution.set_indicator("standard_deviation_after_audit", round(statistics.pstdev(after), 6))
    return solution


def _move_one(model, targets, load, capacity, limit, work, instances, excess):
    """The first candidate instance with a target that takes it under the threshold."""
    least: list[tuple[float, str]] = []
    kept = []
    while targets and len(least) < TRIES:
        share, host = heapq.heappop(targets)
        if abs(share - load[host] / capacity[host]) > 1e-12:
            continue  # stale entry
        kept.append((share, host))
        least.append((share, host))
    for entry in kept:
        heapq.heappush(targets, entry)
    for instance in _pick(instances, work, excess):
        for _, host in least:
            if (load[host] + work[instance.uuid]) < limit * capacity[host] and can_move(
                model, instance, host
            ):
                return instance, host
    return None


WORKLOAD_BALANCE = StrategyDefinition(
    name="workload_balance",
    display_name="Workload Balance Migration Strategy",
    goal="workload_balancing",
    execute=execute,
    parameters_schema=PARAMETERS,
    planner="workload_stabilization",
    models=("compute",),
    metrics=(CPU, RAM),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [WORKLOAD_BALANCE]
