"""vm_workload_consolidation — consolidation on measured load (goal ``server_consolidation``).

Reference §4.4. An instance's demand is what it *uses*: vCPUs × CPU% (missing metric: all its
vCPUs), RAM used (fallback: allocated, then flavor), disk from the flavor. A node's load is the
larger of the sum of its instances' demands and its own host metrics.

Phases: (1) offload every overloaded node, smallest CPU demand first, to the tightest node
that fits; (2) empty nodes, least loaded first, all-or-nothing (``strategies.consolidation``);
(3) disable every enabled node left without instances. Each instance moves at most once, so
upstream's "collapse repeated migrations" phase has nothing to do. A destination must fit both
the measured demand and the flavor allocation (Nova's scheduler checks the latter).
Measured demand is held to the physical host (vCPUs, MB minus reserved), allocations to the
over-committed capacity; upstream compares measured use with the over-committed capacity, which
lets a host be planned far past its real cores.
"""

from __future__ import annotations

from collections.abc import Mapping

from strategies.common import (
    WATCHER_DISABLED,
    add_migration,
    add_service_state,
    available_nodes,
)
from strategies.consolidation import apply, best_emptying
from strategies.feasibility import accepts, may_move, needs_test
from strategies.packing import Packer, Vector, scarcity_order
from watcher_celery.model import ClusterModel, ComputeNode, Instance
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

PARAMETERS = {
    "properties": {
        "period": {
            "description": "Seconds of metrics averaged (mean).",
            "type": "number",
            "minimum": 0,
            "default": 3600,
        },
        "granularity": {
            "description": "Seconds between two metric samples.",
            "type": "number",
            "minimum": 1,
            "default": 300,
        },
    },
}


class Demand:
    """Measured demand of instances and nodes; each metric is read for the whole model at once."""

    def __init__(self, context: StrategyContext) -> None:
        self.metrics = context.metrics
        self.model: ClusterModel = context.model
        self.period = int(context.parameters["period"])
        self.cache: dict[str, Vector] = {}
        self._read: dict[str, Mapping[str, float | None]] = {}

    def _values(self, name: str, host: bool = False) -> Mapping[str, float | None]:
        """``name`` for every node (``host``) or instance of the model, by uuid."""
        values = self._read.get(name)
        if values is None:
            if self.metrics is None:
                values = {}
            elif host:
                nodes = self.model.nodes.values()
                values = self.metrics.metric_values(nodes, "compute_node", name, self.period)
            else:
                instances = self.model.instances.values()
                values = self.metrics.metric_values(instances, "instance", name, self.period)
            self._read[name] = values
        return values

    def instance(self, instance: Instance) -> Vector:
        """(cpu cores, ram MB, disk GB, flavor vcpus, flavor MB, flavor GB)."""
        cached = self.cache.get(instance.uuid)
        if cached is None:
            cpu = self._values("instance_cpu_usage").get(instance.uuid)
            ram = self._values("instance_ram_usage").get(instance.uuid)
            if ram is None:
                ram = self._values("instance_ram_allocated").get(instance.uuid)
            cached = (
                instance.vcpus * cpu / 100.0 if cpu is not None else float(instance.vcpus),
                float(ram) if ram is not None else float(instance.memory),
                float(instance.disk),
                float(instance.vcpus),
                float(instance.memory),
                float(instance.disk),
            )
            self.cache[instance.uuid] = cached
        return cached

    def node_free(self, model: ClusterModel, node: ComputeNode) -> Vector:
        cpu = ram = disk = 0.0  # the instances' measured demand, summed
        for instance in model.iter_instances_on(node.hostname):
            vector = self.instance(instance)
            cpu += vector[0]
            ram += vector[1]
            disk += vector[2]
        host_cpu = self._values("host_cpu_usage", host=True).get(node.uuid)
        host_ram = self._values("host_ram_usage", host=True).get(node.uuid)
        if host_cpu is not None:
            cpu = max(cpu, host_cpu * node.vcpus / 100.0)
        if host_ram is not None:
            ram = max(ram, host_ram / 1024.0)
        used = model.used(node.hostname)
        full = capacity(node)
        taken = (cpu, ram, disk, used.vcpus, used.memory, used.disk)
        return tuple(c - t for c, t in zip(full, taken, strict=True))


def capacity(node: ComputeNode) -> Vector:
    """Measured use is held to the physical host, allocations to the over-committed one."""
    return (
        float(node.vcpus - node.vcpu_reserved),
        float(node.memory - node.memory_mb_reserved),
        node.disk_capacity,
        node.vcpu_capacity,
        node.memory_capacity,
        node.disk_capacity,
    )


def _offload(
    model: ClusterModel, packer: Packer, demand: Demand, solution: Solution, received: set[str]
) -> int:
    """Move the smallest instances off overloaded nodes until they are not overloaded."""
    moved = 0
    overloaded = [h for h, free in packer.free.items() if min(free[:3]) < 0]
    for hostname in sorted(overloaded, key=lambda h: min(packer.free[h][:3])):
        for instance in sorted(model.instances_on(hostname), key=lambda i: demand.instance(i)):
            if min(packer.free[hostname][:3]) >= 0:
                break
            if not may_move(model, instance):
                continue
            vector = demand.instance(instance)
            accept = accepts(model, instance) if needs_test(model, instance) else None
            destination = packer.find(vector, exclude=hostname, accept=accept)
            if destination is None:
                continue
            packer.add(destination, vector)
            packer.add(hostname, tuple(-v for v in vector))
            packer.commit()
            add_migration(solution, instance, hostname, destination)
            model.migrate_instance(instance.uuid, destination)
            received.update((hostname, destination))
            moved += 1
    return moved


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    solution = Solution()
    demand = Demand(context)
    enabled = available_nodes(model)
    capacities = {n.hostname: capacity(n) for n in enabled}
    packer = Packer({n.hostname: demand.node_free(model, n) for n in enabled}, capacities)
    received: set[str] = set()
    offloaded = _offload(model, packer, demand, solution, received)
    for node in enabled:
        if not model.used(node.hostname).count:
            packer.remove(node.hostname)  # an empty node is released, not filled

    def order(key: int) -> list[str]:
        return sorted(packer.free, key=lambda h: (capacities[h][key] - packer.free[h][key], h))

    keys = scarcity_order(packer.free, capacities)[:3]
    outcome = best_emptying(model, order, demand.instance, packer, keys, received=received)
    apply(outcome, model, solution)
    released = 0
    for node in enabled:
        if not model.used(node.hostname).count:
            add_service_state(solution, node, "disabled", WATCHER_DISABLED)
            released += 1
    solution.set_indicator("compute_nodes_count", len(enabled))
    solution.set_indicator("released_compute_nodes_count", released)
    solution.set_indicator("instance_migrations_count", offloaded + outcome.migrations)
    return solution


VM_WORKLOAD_CONSOLIDATION = StrategyDefinition(
    name="vm_workload_consolidation",
    display_name="VM Workload Consolidation Strategy",
    goal="server_consolidation",
    execute=execute,
    parameters_schema=PARAMETERS,
    models=("compute",),
    metrics=(
        "instance_cpu_usage",
        "instance_ram_usage",
        "instance_ram_allocated",
        "host_cpu_usage",
        "host_ram_usage",
    ),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [VM_WORKLOAD_CONSOLIDATION]
