"""Helpers shared by the built-in strategies: migration actions and node filters.

Every migration a strategy emits has the same parameters (reference §4): ``migration_type``,
``source_node`` and ``destination_node`` as hostnames, ``resource_name`` = instance name, and
the instance UUID as ``resource_id``.
"""

from __future__ import annotations

from watcher_celery.model import ClusterModel, ComputeNode, Instance
from watcher_celery.plugins import Solution

LIVE_STATES = frozenset({"active", "paused"})
COLD_STATES = frozenset({"stopped"})
WATCHER_DISABLED = "watcher_disabled"

AGGREGATES = ["mean", "min", "max", "count"]
# The ``aggregation_method`` parameter of the metric-reading strategies (``node`` is upstream's
# deprecated alias of ``compute_node``).
AGGREGATION_METHOD_SCHEMA = {
    "description": "How metric samples are aggregated, per resource type.",
    "type": "object",
    "properties": {
        "instance": {"type": "string", "enum": AGGREGATES, "default": "mean"},
        "compute_node": {"type": "string", "enum": AGGREGATES, "default": "mean"},
        "node": {"type": "string", "default": ""},
    },
    "default": {"instance": "mean", "compute_node": "mean", "node": ""},
}


def migration_type(instance: Instance) -> str | None:
    """live for running instances, cold for stopped ones, None when it cannot move."""
    if instance.state in LIVE_STATES:
        return "live"
    if instance.state in COLD_STATES:
        return "cold"
    return None


def movable(instance: Instance) -> bool:
    return not instance.watcher_exclude and migration_type(instance) is not None


def add_migration(
    solution: Solution,
    instance: Instance,
    source: str,
    destination: str | None,
    kind: str | None = None,
) -> None:
    params = {
        "migration_type": kind or migration_type(instance) or "live",
        "source_node": source,
        "resource_name": instance.name,
    }
    if destination is not None:
        params["destination_node"] = destination
    solution.add_action("migrate", instance.uuid, params)


def add_service_state(
    solution: Solution, node: ComputeNode, state: str, reason: str | None = None
) -> None:
    params = {"state": state, "resource_name": node.hostname}
    if reason is not None:
        params["disabled_reason"] = reason
    solution.add_action("change_nova_service_state", node.uuid, params)


def up_nodes(model: ClusterModel) -> list[ComputeNode]:
    return [node for node in model.nodes.values() if node.state == "up"]


def available_nodes(model: ClusterModel) -> list[ComputeNode]:
    """Up and enabled: the nodes that may receive instances."""
    return [node for node in model.nodes.values() if node.available]
