"""vm_workload_consolidation: packs by measured load within flavor allocations."""

from __future__ import annotations

from strategies.vm_workload_consolidation import VM_WORKLOAD_CONSOLIDATION as VMWC
from tests.unit.strategies.clusters import cluster, migrations, run, service_changes
from watcher_celery.datasources.memory import MemoryDatasource


def _cpu(model, percent: float) -> MemoryDatasource:
    metrics = MemoryDatasource()
    for uuid in model.instances:
        metrics.set(uuid, "instance_cpu_usage", percent)
    return metrics


def test_idle_instances_are_packed_beyond_their_vcpus_when_allocation_ratio_allows():
    # Given 4 hosts of 8 vCPUs (ratio 4: 32 allocatable), 2 × 4-vCPU instances each, 25 % busy
    model = cluster({f"h{i}": [4, 4] for i in range(4)}, vcpus=8, memory=1_000_000)
    for node in model.nodes.values():
        node.vcpu_ratio = 4.0
    solution = run(VMWC, model, _cpu(model, 25.0))
    # Then 8 instances using 1 core each fit on one host: three hosts are released
    assert solution.indicators["released_compute_nodes_count"] == 3
    assert len(migrations(solution)) == 6
    assert len(service_changes(solution)) == 3
    assert sum(1 for h in model.nodes if model.used(h).count) == 1


def test_busy_instances_are_not_packed_beyond_the_cores_they_use():
    # Same cluster, instances 100 % busy: 8 cores used per host, nothing can move
    model = cluster({f"h{i}": [4, 4] for i in range(4)}, vcpus=8, memory=1_000_000)
    for node in model.nodes.values():
        node.vcpu_ratio = 4.0
    solution = run(VMWC, model, _cpu(model, 100.0))
    assert migrations(solution) == []


def test_an_overloaded_host_sheds_its_smallest_instances_until_it_is_not():
    # Given h0 measured at 150 % of its cores, h1 idle
    model = cluster({"h0": [2, 4, 4], "h1": [2]}, vcpus=8)
    for node in model.nodes.values():
        node.vcpu_ratio = 2.0
    metrics = _cpu(model, 100.0)
    metrics.set("uuid-h0", "host_cpu_usage", 150.0)
    solution = run(VMWC, model, metrics)
    moved = migrations(solution)
    # Then the 2-vCPU instance leaves h0 first and h0 is no longer above its 8 cores
    assert moved[0] == ("h0-vm0", "h0", "h1")
    assert solution.indicators["instance_migrations_count"] >= 1


def test_empty_enabled_hosts_are_disabled():
    model = cluster({"a": [2], "empty": []})
    solution = run(VMWC, model, _cpu(model, 100.0))
    assert ("empty", "disabled") in service_changes(solution)
