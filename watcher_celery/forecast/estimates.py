"""What one action moves and how long it should take.

A live migration copies the instance's memory over the network, a cold migration copies its
disk; either takes ``moved / bandwidth`` plus a fixed ``overhead`` (scheduling, claiming the
destination, switching over), both from the settings (``WATCHER_MIGRATION_BANDWIDTH_MB``,
``WATCHER_ACTION_OVERHEAD_SECONDS``; docs/dashboard.md). A ``sleep`` lasts its ``duration``;
every other action costs the overhead alone. Live migrations of busy instances re-copy dirtied
pages, so the live figure is a lower bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from watcher_celery.forecast.whatif import InstanceSize

MEMORY, DISK = "memory", "disk"


@dataclass(frozen=True, slots=True)
class Estimate:
    seconds: float
    moves_mb: float = 0.0
    moves: str | None = None  # "memory" (live) or "disk" (cold), None when nothing is copied


def estimate(
    action: Mapping[str, Any],
    instances: Mapping[str, InstanceSize],
    bandwidth_mb: float,
    overhead: float,
) -> Estimate:
    """The estimate of ``action`` (``action_type``, ``input_parameters``)."""
    params = action.get("input_parameters") or {}
    kind = action["action_type"]
    if kind == "sleep":
        return Estimate(float(params.get("duration", 0.0)) + overhead)
    if kind != "migrate":
        return Estimate(overhead)
    instance = instances.get(params.get("resource_id"))
    if instance is None:
        return Estimate(overhead)
    if params.get("migration_type") == "cold":
        moved, what = float(instance.disk) * 1024.0, DISK
    else:
        moved, what = float(instance.memory), MEMORY
    return Estimate(overhead + moved / max(bandwidth_mb, 1e-9), moved, what)
