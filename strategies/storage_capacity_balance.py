"""storage_capacity_balance — bring every Cinder pool under a fill threshold (§4.7).

Goal ``workload_balancing``; reads the storage model (pools and volumes, through the cloud
adapter). A pool whose allocated capacity is at or above ``volume_threshold`` % of its total is
a source. Its volumes (available, or in-use, not migrating) leave it until it is under the
threshold, each to the pool with the most free room (in proportion) that serves the volume's
type, stays under the threshold with it and has the free capacity for it.

Upstream moves volumes smallest first (the most migrations for the gigabytes freed) and falls
back to retyping; here each step moves the smallest volume that alone brings the pool under the
threshold, else the largest one (the fewest migrations and the least data copied), available
volumes before attached non-bootable ones before bootable ones; a volume is only migrated
within its type, never retyped (a retype changes what the tenant asked for). The plan uses the
``weight`` planner: upstream's ``workload_stabilization`` planner has no weight for
``volume_migrate`` and fails unless configured.
"""

from __future__ import annotations

from watcher_celery.model import ClusterModel, StoragePool, Volume
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

PARAMETERS = {
    "properties": {
        "volume_threshold": {
            "description": "Pool fill (%) at or above which volumes leave the pool.",
            "type": "number",
            "minimum": 0,
            "maximum": 100,
            "default": 80.0,
        },
    },
}


def _candidate(volume: Volume) -> bool:
    return volume.status in ("available", "in-use") and volume.migration_status in (
        None,
        "success",
    )


def _kind(volume: Volume) -> int:
    """Available first, then attached non-bootable, then attached bootable."""
    if volume.status == "available":
        return 0
    return 2 if volume.bootable else 1


def _serves(pool: StoragePool, volume: Volume) -> bool:
    return (
        not volume.volume_type or not pool.volume_types or volume.volume_type in pool.volume_types
    )


def _order(volumes: list[Volume], excess: float) -> list[Volume]:
    def key(v: Volume):
        enough = v.size >= excess
        return (_kind(v), not enough, v.size if enough else -v.size, v.uuid)

    return sorted(volumes, key=key)


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    limit = float(context.parameters["volume_threshold"]) / 100.0
    pools = {name: pool for name, pool in model.pools.items() if pool.total_capacity_gb > 0}
    used = {name: pool.total_capacity_gb - pool.free_capacity_gb for name, pool in pools.items()}
    total = {name: pool.total_capacity_gb for name, pool in pools.items()}
    sources = sorted(
        (n for n in pools if used[n] >= limit * total[n]), key=lambda n: -used[n] / total[n]
    )
    targets = [n for n in pools if used[n] < limit * total[n]]
    solution = Solution()
    for source in sources:
        volumes = [v for v in model.volumes_in(source) if _candidate(v)]
        while volumes and used[source] >= limit * total[source]:
            excess = used[source] - limit * total[source] + 1e-9
            for volume in _order(volumes, excess):
                destination = _destination(pools, targets, used, total, limit, volume)
                if destination is not None:
                    break
            else:
                break
            volumes.remove(volume)
            used[source] -= volume.size
            used[destination] += volume.size
            volume.pool = destination
            solution.add_action(
                "volume_migrate",
                volume.uuid,
                {
                    "migration_type": "migrate",
                    "destination_node": destination,
                    "resource_name": volume.name,
                },
            )
    solution.set_indicator("instance_migrations_count", 0)
    solution.set_indicator("instances_count", 0)
    return solution


def _destination(pools, targets, used, total, limit, volume: Volume) -> str | None:
    best, room = None, -1.0
    for name in targets:
        after = used[name] + volume.size
        if after >= limit * total[name] or after > total[name] or not _serves(pools[name], volume):
            continue
        ratio = 1.0 - used[name] / total[name]
        if ratio > room:
            best, room = name, ratio
    return best


STORAGE_CAPACITY_BALANCE = StrategyDefinition(
    name="storage_capacity_balance",
    display_name="Storage Capacity Balance Strategy",
    goal="workload_balancing",
    execute=execute,
    parameters_schema=PARAMETERS,
    models=("storage",),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [STORAGE_CAPACITY_BALANCE]
