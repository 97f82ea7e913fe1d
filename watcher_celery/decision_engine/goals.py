"""The built-in goals and their efficacy specifications (reference §3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watcher_celery.plugins import GoalDefinition, IndicatorSpec, hookimpl

COUNT = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number", "minimum": 0}


def _count(name: str, description: str, required: bool = True) -> IndicatorSpec:
    return IndicatorSpec(name, description, COUNT, required=required)


def _ratio(name: str, description: str, numerator: Any, denominator: Any) -> dict[str, Any]:
    value = (numerator / denominator * 100.0) if numerator and denominator else 0.0
    return {"name": name, "description": description, "unit": "%", "value": value}


def _server_consolidation_efficacy(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        _ratio(
            "released_nodes_ratio",
            "Ratio of released compute nodes divided by the total number of enabled compute nodes.",
            values.get("released_compute_nodes_count", 0),
            values.get("compute_nodes_count", 0),
        )
    ]


def _workload_balancing_efficacy(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        _ratio(
            "live_migrations_count",
            "Ratio of migrated virtual machines to audited virtual machines",
            values.get("instance_migrations_count", 0),
            values.get("instances_count", 0),
        )
    ]


def _hardware_maintenance_efficacy(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    pairs = [
        ("live_instance_migrate_ratio", "live_migrate_instance_count", "live migrated instances"),
        ("cold_instance_migrate_ratio", "cold_migrate_instance_count", "cold migrated instances"),
        ("volume_migrate_ratio", "volume_migrate_count", "migrated detached volumes"),
        ("volume_update_ratio", "volume_update_count", "updated attached volumes"),
    ]
    return [
        _ratio(
            name,
            f"Ratio of planned {what} to all {what.split(' ', 1)[1]} to handle.",
            values.get(f"planned_{count}", 0),
            values.get(count, 0),
        )
        for name, count, what in pairs
    ]


MIGRATIONS = _count("instance_migrations_count", "The number of VM migrations to be performed.")

GOALS = [
    GoalDefinition("dummy", "Dummy goal"),
    GoalDefinition("unclassified", "Unclassified"),
    GoalDefinition(
        "server_consolidation",
        "Server Consolidation",
        (
            _count("compute_nodes_count", "The total number of enabled compute nodes."),
            _count("released_compute_nodes_count", "The number of compute nodes to be released."),
            MIGRATIONS,
            IndicatorSpec(
                "released_compute_nodes_bound",
                "The most compute nodes any plan within the same caps (migrations per released"
                " node, migrations, bytes) could release (a bound the solver proved).",
                COUNT,
                required=False,
            ),
            IndicatorSpec(
                "released_compute_nodes_bound_uncapped",
                "The most compute nodes any plan could release, whatever it costs in"
                " migrations (a bound the solver proved).",
                COUNT,
                required=False,
            ),
            IndicatorSpec(
                "released_compute_nodes_gap",
                "How far the released nodes are below that bound, in % of the bound.",
                NUMBER,
                unit="%",
                required=False,
            ),
            IndicatorSpec(
                "instance_migrations_bytes",
                "Bytes the migrations copy: memory for live migrations, disk for cold ones.",
                COUNT,
                unit="B",
                required=False,
            ),
        ),
        _server_consolidation_efficacy,
    ),
    GoalDefinition("thermal_optimization", "Thermal Optimization"),
    GoalDefinition(
        "workload_balancing",
        "Workload Balancing",
        (
            MIGRATIONS,
            _count("instances_count", "The total number of audited instances in strategy.", False),
            IndicatorSpec(
                "standard_deviation_after_audit",
                "The value of resulted standard deviation.",
                NUMBER,
                required=False,
            ),
            IndicatorSpec(
                "standard_deviation_before_audit",
                "The value of original standard deviation.",
                NUMBER,
                required=False,
            ),
        ),
        _workload_balancing_efficacy,
    ),
    GoalDefinition("airflow_optimization", "Airflow Optimization"),
    GoalDefinition("noisy_neighbor", "Noisy Neighbor"),
    GoalDefinition("saving_energy", "Saving Energy"),
    GoalDefinition(
        "hardware_maintenance",
        "Hardware Maintenance",
        (
            _count(
                "live_migrate_instance_count", "The number of instances actually live migrated."
            ),
            _count(
                "planned_live_migrate_instance_count",
                "The number of instances planned to live migrate.",
            ),
            _count(
                "cold_migrate_instance_count", "The number of instances actually cold migrated."
            ),
            _count(
                "planned_cold_migrate_instance_count",
                "The number of instances planned to cold migrate.",
            ),
            _count("volume_migrate_count", "The number of detached volumes actually migrated."),
            _count(
                "planned_volume_migrate_count", "The number of detached volumes planned to migrate."
            ),
            _count("volume_update_count", "The number of attached volumes actually migrated."),
            _count(
                "planned_volume_update_count", "The number of attached volumes planned to migrate."
            ),
        ),
        _hardware_maintenance_efficacy,
    ),
    GoalDefinition("cluster_maintaining", "Cluster Maintaining"),
]


@hookimpl
def watcher_goals() -> list[GoalDefinition]:
    return list(GOALS)
