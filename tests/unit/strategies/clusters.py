"""Crafted clusters for strategy tests: nodes and instances by size, metrics in memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from watcher_celery.datasources.memory import MemoryDatasource
from watcher_celery.model import ClusterModel, ComputeNode, Instance
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition
from watcher_celery.plugins.parameters import validate


def cluster(hosts: dict[str, list[int]], vcpus: int = 16, memory: int = 65536) -> ClusterModel:
    """``{hostname: [instance vcpus, ...]}``; each instance has 2 GiB per vCPU and 10 GB disk."""
    model = ClusterModel()
    for hostname, sizes in hosts.items():
        model.add_node(ComputeNode(f"uuid-{hostname}", hostname, vcpus, memory, 1000))
        for index, size in enumerate(sizes):
            model.add_instance(
                Instance(
                    f"{hostname}-vm{index}",
                    f"{hostname}-vm{index}",
                    size,
                    size * 2048,
                    10,
                    host=hostname,
                )
            )
    return model


def seeded_cluster(directory: Path, seed: int, hosts: int) -> ClusterModel:
    """The collector's model of a simulated cloud of ``hosts`` hosts, 20 instances each."""
    from watcher_celery.cloud.simulated import SimulatedCloud
    from watcher_celery.decision_engine.collector import collect

    cloud = SimulatedCloud.create(directory / "cloud.sqlite", seed, hosts, hosts * 20, 0.0)
    try:
        return collect(cloud, [], ("compute",))
    finally:
        cloud.close()


def run(
    strategy: StrategyDefinition,
    model: ClusterModel,
    datasource: MemoryDatasource | None = None,
    **parameters: Any,
) -> Solution:
    params = validate(strategy.parameters_schema, parameters)
    context = StrategyContext(
        parameters=params, model=model, metrics=datasource or MemoryDatasource()
    )
    return strategy.execute(context)


def migrations(solution: Solution) -> list[tuple[str, str, str | None]]:
    return [
        (
            a.input_parameters["resource_id"],
            a.input_parameters["source_node"],
            a.input_parameters.get("destination_node"),
        )
        for a in solution.actions
        if a.action_type == "migrate"
    ]


def service_changes(solution: Solution) -> list[tuple[str, str]]:
    return [
        (a.input_parameters["resource_name"], a.input_parameters["state"])
        for a in solution.actions
        if a.action_type == "change_nova_service_state"
    ]


def assert_within_capacity(model: ClusterModel) -> None:
    for hostname, node in model.nodes.items():
        used = model.used(hostname)
        assert used.vcpus <= node.vcpu_capacity, hostname
        assert used.memory <= node.memory_capacity, hostname
        assert used.disk <= node.disk_capacity, hostname
