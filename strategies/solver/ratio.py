"""Holding the plan to a number of migrations per released host (the greedy plan's, by default).

The search releases hosts first and only then spends the least on migrations, so the hosts it
releases beyond a greedy plan can be the expensive ones. This pass gives every unit moved off
a host back to it when the host is not released (a migration that releases nothing is churn),
then, while the plan moves more instances per released host than ``ratio``, keeps the released
host that costs the most migrations. Giving a host its units back is always legal: a host the
plan empties never receives, so its own room is still there, and the units leave the
destinations they took. Dropping the costliest hosts first keeps the most hosts released: the
excess over ``ratio`` falls by (its migrations − ratio) per host, the most a host can give.
"""

from __future__ import annotations

from strategies.solver.placement import Placement
from watcher_celery.model import ClusterModel
from watcher_celery.plugins import Solution


def _moved_per_origin(placement: Placement) -> dict[str, int]:
    items = placement.problem.items
    out: dict[str, int] = {}
    for index, moved in enumerate(placement.moved_units()):
        if moved:
            origin = items[index].origin
            out[origin] = out.get(origin, 0) + moved * items[index].migrations
    return out


def give_back(placement: Placement, host: str) -> None:
    """Every unit that left ``host`` returns to it."""
    for index in placement.problem.origin_items.get(host, ()):
        where = placement.where[index]
        for destination, units in list(where.items()):
            if destination != host:
                placement.move(index, destination, host, units)


def hold_ratio(placement: Placement, ratio: float) -> list[str]:
    """Drop churn, then the costliest released hosts until migrations ≤ ratio × released.

    Returns the released hosts given their instances back.
    """
    released = set(placement.released())
    per_origin = _moved_per_origin(placement)
    for host in per_origin:
        if host not in released:
            give_back(placement, host)
    costliest = sorted(released, key=lambda h: (per_origin.get(h, 0), h), reverse=True)
    migrations = sum(per_origin.get(h, 0) for h in released)
    count = len(released)
    dropped = []
    for host in costliest:
        if migrations <= ratio * count + 1e-9:
            break
        give_back(placement, host)
        migrations -= per_origin.get(host, 0)
        count -= 1
        dropped.append(host)
    return dropped


def plan_ratio(migrations: int, released: int) -> float | None:
    """Migrations per released host of a plan, None when it releases nothing."""
    return migrations / released if released else None


def emptied_hosts(model: ClusterModel, solution: Solution) -> int:
    """Hosts that hold instances before the plan's migrations and none after.

    A plan's ``released_compute_nodes_count`` is not this: vm_workload_consolidation counts
    the empty hosts it disables too, which would make its migrations per released host look
    cheaper than they are. The solver's own count is hosts it empties, so the cap it reads
    from a greedy plan counts the same.
    """
    change: dict[str, int] = {}
    for action in solution.actions:
        if action.action_type != "migrate":
            continue
        params = action.input_parameters
        change[params["source_node"]] = change.get(params["source_node"], 0) - 1
        destination = params.get("destination_node")
        if destination is not None:  # else left to the scheduler: it lands on a kept host
            change[destination] = change.get(destination, 0) + 1
    return sum(
        1
        for host, delta in change.items()
        if delta and model.used(host).count and model.used(host).count + delta == 0
    )
