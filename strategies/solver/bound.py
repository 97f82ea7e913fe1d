"""A proven upper bound on the hosts any plan can release: a relaxation solved exactly.

The relaxation forgets *which* instance goes where and keeps only volumes: the hosts kept
must hold the whole load in vCPUs, memory and disk at once (the same hosts for all three, which
is tighter than one resource at a time), a kept disabled host holds at most its own load, hosts
with an unmovable instance are kept, and the load pinned to a zone (unmovable instances, and
instances created in that zone) fits into the zone's kept hosts. Hosts alike (zone, capacity,
enabled) are one integer variable, so the model has a few dozen variables at 10,000 hosts and
CP-SAT proves its optimum in milliseconds. Every plan is a solution of the relaxation, so its
optimum is a bound, never an estimate; if the solver stops early, its proven bound is used.

With caps on the plan (migrations per released host, migrations, bytes), the relaxation keeps
them too: whatever else a plan does, it moves every unit of every host it releases at least
once, so the hosts released by a plan within the caps cost, in their own units alone, no more
than the caps allow. Hosts are then alike only if emptying them costs the same too.
"""

from __future__ import annotations

import math
from collections import Counter

from strategies.solver.linear import LinearModel, solve_cpsat
from strategies.solver.neighbourhood import Limits
from strategies.solver.placement import Placement
from strategies.solver.problem import Problem

SCALE = 1000  # migrations per released host, in thousandths (rounded up: still a relaxation)


def release_bound(problem: Problem, seconds: float = 10.0, limits: Limits | None = None) -> int:
    """The most hosts a plan (within ``limits``, if given) could empty, net of empty hosts it
    fills."""
    limits = limits or Limits()
    origin = Placement(problem).loads()
    total = [0, 0, 0]
    zone_demand: dict[str | None, list[int]] = {}
    for host in problem.hosts.values():
        for k in range(3):
            total[k] += origin[host.name][k]
        demand = zone_demand.setdefault(host.zone, [0, 0, 0])
        for k in range(3):
            demand[k] += host.fixed[k]
    for item in problem.items:
        if item.zone is not None:
            demand = zone_demand.setdefault(item.zone, [0, 0, 0])
            for k in range(3):
                demand[k] += item.size[k] * item.count

    def holds(name: str) -> tuple[int, ...]:
        """What a kept host can hold: its capacity, or its own load if it cannot receive.

        A host already loaded past its capacity keeps that load (plans never add to it), so
        the cluster as it stands is always a solution of the relaxation.
        """
        host = problem.hosts[name]
        if not host.receives:
            return tuple(origin[name])
        return tuple(max(c, u) for c, u in zip(host.capacity, origin[name], strict=True))

    costs = _emptying_costs(problem, limits)
    kinds = Counter(
        (h.zone, holds(h.name), costs.get(h.name, (0, 0)), h.initially_empty)
        for h in problem.hosts.values()
        if not h.pinned
    )  # type -> hosts of that type
    held_by_pinned = [0, 0, 0]
    held_in_zone: dict[str | None, list[int]] = {}
    for h in problem.hosts.values():
        if h.pinned:
            room = holds(h.name)
            zone = held_in_zone.setdefault(h.zone, [0, 0, 0])
            for k in range(3):
                held_by_pinned[k] += room[k]
                zone[k] += room[k]

    lp = LinearModel()
    kept = {kind: lp.var(0, count, count) for kind, count in kinds.items()}
    for k in range(3):
        lp.constrain(
            [(var, kind[1][k]) for kind, var in kept.items()], total[k] - held_by_pinned[k]
        )
        for zone, demand in zone_demand.items():
            pinned_room = held_in_zone.get(zone, [0, 0, 0])[k]
            lp.constrain(
                [(var, kind[1][k]) for kind, var in kept.items() if kind[0] == zone],
                demand[k] - pinned_room,
            )
    _cap_rows(lp, kept, kinds, limits)
    lp.maximize([(var, -1) for var in kept.values()])
    result = solve_cpsat(lp, seconds)
    fewest_kept = math.ceil(-result.bound - 1e-6) if math.isfinite(result.bound) else 0
    releasable = sum(kinds.values())
    initially_empty = sum(1 for h in problem.hosts.values() if h.initially_empty)
    return max(0, releasable - fewest_kept - initially_empty)


def _emptying_costs(problem: Problem, limits: Limits) -> dict[str, tuple[int, int]]:
    """Host -> (migrations, MB) it takes to empty it, where a cap makes them count."""
    if limits.per_released is None and limits.migrations is None and limits.cost_bytes is None:
        return {}
    out: dict[str, tuple[int, int]] = {}
    for item in problem.items:
        unit_mb = item.size[1] if item.kind == "live" else item.size[2] * 1024
        migrations, mb = out.get(item.origin, (0, 0))
        out[item.origin] = (
            migrations + item.count * item.migrations,
            mb + item.count * unit_mb if limits.cost_bytes is not None else 0,
        )
    return out


def _cap_rows(lp: LinearModel, kept: dict, kinds: Counter, limits: Limits) -> None:
    """The caps on what emptying the released hosts costs (released = count - kept).

    Hosts empty before the plan are left out: releasing them costs nothing and they are not
    released hosts.
    """
    held = [(kind, var, kinds[kind]) for kind, var in kept.items() if not kind[3]]
    if limits.per_released is not None:
        scaled = math.ceil(limits.per_released * SCALE)
        # sum (count - kept) * (SCALE * migrations - scaled) <= 0
        weights = [(var, count, SCALE * kind[2][0] - scaled) for kind, var, count in held]
        lp.constrain([(v, w) for v, _, w in weights if w], lower=sum(c * w for _, c, w in weights))
    if limits.migrations is not None:
        lp.constrain(
            [(var, kind[2][0]) for kind, var, _ in held if kind[2][0]],
            lower=sum(count * kind[2][0] for kind, _, count in held) - limits.migrations,
        )
    if limits.cost_bytes is not None:
        lp.constrain(
            [(var, kind[2][1]) for kind, var, _ in held if kind[2][1]],
            lower=sum(count * kind[2][1] for kind, _, count in held) - limits.cost_bytes // 2**20,
        )
