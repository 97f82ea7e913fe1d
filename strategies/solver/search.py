"""Large-neighbourhood search: solve the cluster a few dozen hosts at a time, round after round.

A model of 10,000 hosts and 200,000 instances is far too large to solve whole, but the hosts
of one availability zone can be dealt into neighbourhoods of ``size`` hosts, each solved
exactly (CP-SAT) with the rest of the placement fixed. The first round deals the hosts of each
zone by how full they are, so every neighbourhood holds both hosts worth emptying and hosts
with room; later *deal* rounds deal them at random. Every other round is a *swap* round: for
emptied hosts drawn at random, a neighbourhood of the emptied host, the hosts holding its
instances and a few of the least loaded hosts of its zone, where the solver may give the
emptied host its instances back and empty others instead — the move greedy plans cannot make.
The time budget is shared out over the neighbourhoods left in the round, so the first round
always covers the whole cluster. A neighbourhood's solution replaces the current one only if
it is strictly better, so the search never loses what it started from.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from strategies.solver import neighbourhood
from strategies.solver.linear import solve_cpsat
from strategies.solver.placement import Placement
from strategies.solver.problem import Problem
from strategies.solver.ratio import hold_ratio

MAX_SECONDS_PER_NEIGHBOURHOOD = 5.0
ROUNDS_WITHOUT_GAIN = 4
SWAPS_PER_ROUND = 200  # emptied hosts reconsidered in a swap round
SWAP_CANDIDATES = 4  # hosts that may be emptied instead of one emptied host
SOURCE_SHARE = 5  # one host in five of a neighbourhood is a source
# Share of the search's time given to rounds held to the cap on migrations per released host.
HELD_SHARE = 0.25


@dataclass
class SearchStats:
    rounds: int = 0
    neighbourhoods: int = 0
    improved: int = 0
    exact: bool = False  # the whole cluster was one model, solved to proven optimality


def _solve_whole(problem, placement, busy, limits, deadline, seed) -> bool:
    """A cluster no larger than one neighbourhood: one model from the cluster as it stands,
    every host a possible source, so the optimum among plans of this form is found (and
    proven, unless the budget runs out). Replaces ``placement`` if better."""
    start = Placement(problem)
    hood = neighbourhood.build(
        problem,
        start,
        start.on_host(),
        start.loads(),
        busy,
        [h for h in busy if not problem.hosts[h].pinned],
        limits,
        (0, 0),
    )
    if not hood.cells:
        return True
    result = solve_cpsat(hood.model, max(0.1, deadline - time.monotonic()), seed=seed)
    if not result.found:
        return False
    hood.apply(start, result)
    if start.worth() > placement.worth():
        placement.where = start.where
    return result.status == "optimal"


def deal(problem: Problem, placement: Placement, size: int, rng: random.Random | None) -> list:
    """Host lists of at most ``size`` hosts each, one zone at a time.

    Empty hosts are left out: they hold nothing to move and filling one releases nothing.

    Without ``rng``: hosts sorted by fill and dealt round-robin, so each neighbourhood gets a
    share of every fill level; with it: shuffled.
    """
    loads = placement.loads()
    busy = set(problem.hosts) - placement.empty_hosts()
    out = []
    for zone_hosts in problem.zones().values():
        hosts = [h for h in zone_hosts if h in busy]
        if not hosts:
            continue
        count = -(-len(hosts) // size)
        if rng is None:
            ordered = sorted(hosts, key=lambda h: (fill(problem, loads, h), h))
        else:
            ordered = sorted(hosts)
            rng.shuffle(ordered)
        out.extend(ordered[j::count] for j in range(count))
    return out


def fill(problem: Problem, loads: dict[str, list[int]], host: str) -> float:
    """The largest share of a host's capacity its load takes, over vCPU, memory and disk."""
    cap = problem.hosts[host].capacity
    return max(loads[host][k] / cap[k] if cap[k] else 0.0 for k in range(3))


def release_order(problem: Problem, loads: dict[str, list[int]], host: str) -> tuple:
    """Hosts worth trying to empty first: the smallest in the cluster's scarcest resource,
    then the emptiest.

    What the kept hosts must hold is the same whatever is released, so each host released
    costs the kept room its capacity in the scarcest resource: releasing the small ones is
    what lets the most be released (as the bound's relaxation keeps the largest). Small hosts
    also hold fewer instances, so they cost fewer migrations.
    """
    scarce = problem.scarcest()
    return (problem.hosts[host].capacity[scarce], fill(problem, loads, host), host)


def pick_sources(
    problem: Problem, loads: dict[str, list[int]], hosts: list[str], rng: random.Random | None
) -> list[str]:
    """The hosts of a neighbourhood whose units are re-placed: a fifth, the emptiest first.

    Hosts with an unmovable instance are never sources. In random rounds the sources are
    drawn from the emptiest two fifths, so a neighbourhood is not tried twice the same way.
    """
    candidates = sorted(
        (h for h in hosts if not problem.hosts[h].pinned),
        key=lambda h: release_order(problem, loads, h),
    )
    share = max(1, len(hosts) // SOURCE_SHARE)
    if rng is None:
        return candidates[:share]
    pool = candidates[: 2 * share]
    return rng.sample(pool, min(share, len(pool)))


def improve(
    problem: Problem,
    placement: Placement,
    limits: neighbourhood.Limits,
    deadline: float,
    size: int = 40,
    seed: int = 0,
) -> SearchStats:
    """Improve ``placement`` in place until ``deadline`` (``time.monotonic()``).

    With a cap on migrations per released host (``limits.per_released``), the rounds run free
    of it for the first part of the time, the plan is then held to it (``ratio.hold_ratio``)
    and the last ``HELD_SHARE`` of the time goes to rounds that keep it: holding it at every
    step from the start blocks the paths through plans over it (measured: 3,852 hosts instead
    of 4,752 at 10,000 hosts), while the hosts given back by holding it are the ones the held
    rounds can win again another way.
    """
    stats = SearchStats()
    busy = [h for h, host in problem.hosts.items() if not host.initially_empty]
    if len(busy) <= size:
        stats.exact = _solve_whole(problem, placement, busy, limits, deadline, seed)
        stats.rounds = 1
        return stats
    rng = random.Random(seed)
    free = neighbourhood.Limits(limits.migrations, limits.cost_bytes)
    if limits.per_released is None:
        _rounds(problem, placement, free, deadline, size, rng, stats, seed)
        return stats
    held_from = deadline - HELD_SHARE * (deadline - time.monotonic())
    _rounds(problem, placement, free, held_from, size, rng, stats, seed)
    hold_ratio(placement, limits.per_released)
    _rounds(problem, placement, limits, deadline, size, rng, stats, seed)
    return stats


def _rounds(problem, placement, limits, deadline, size, rng, stats, seed) -> None:
    """Deal and swap rounds until ``deadline`` or ``ROUNDS_WITHOUT_GAIN`` rounds gain nothing.

    With ``limits.per_released``, each neighbourhood may spend what the plan has left under
    that many migrations per released host (the plan is within it when the rounds start).
    """
    capped = limits.migrations is not None or limits.cost_bytes is not None
    totals = (placement.migrations(), placement.moved_mb()) if capped else (0, 0)
    slack = _slack(placement, limits)
    idle_rounds = 0
    first = stats.rounds
    while time.monotonic() < deadline and idle_rounds < ROUNDS_WITHOUT_GAIN:
        swap_round = (stats.rounds - first) % 2 == 1
        random_round = rng if stats.rounds else None
        on_host = placement.on_host()
        loads = placement.loads()
        if swap_round:
            emptied = placement.released()
            plans = rng.sample(emptied, min(len(emptied), SWAPS_PER_ROUND))
        else:
            plans = deal(problem, placement, size, random_round)
        gained = False
        for position, plan in enumerate(plans):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            seconds = min(MAX_SECONDS_PER_NEIGHBOURHOOD, left / (len(plans) - position))
            if swap_round:
                hosts, sources = swap_group(problem, placement, on_host, loads, plan, size, rng)
            else:
                hosts, sources = plan, pick_sources(problem, loads, plan, random_round)
            hood = neighbourhood.build(
                problem, placement, on_host, loads, hosts, sources, limits, totals, slack
            )
            if not hood.cells:
                continue
            stats.neighbourhoods += 1
            result = solve_cpsat(hood.model, seconds, seed=seed + stats.neighbourhoods)
            if result.found and result.objective > hood.current_value() + 0.5:
                before = _moved(problem, placement, hood.units) if capped else (0, 0)
                hood.apply(placement, result)
                if capped:
                    after = _moved(problem, placement, hood.units)
                    totals = (totals[0] + after[0] - before[0], totals[1] + after[1] - before[1])
                slack = _slack(placement, limits)
                stats.improved += 1
                gained = True
                if swap_round:  # swap groups overlap: later ones must see this change
                    on_host = placement.on_host()
                    loads = placement.loads()
        stats.rounds += 1
        idle_rounds = 0 if gained else idle_rounds + 1


def _slack(placement: Placement, limits: neighbourhood.Limits) -> int:
    """How far the plan is under the cap on migrations per released host (0 without one)."""
    if limits.per_released is None:
        return 0
    released = len(placement.released())
    return neighbourhood.ratio_slack(limits.per_released, released, placement.migrations())


def swap_group(problem, placement, on_host, loads, emptied: str, size: int, rng):
    """A neighbourhood that may give an emptied host its instances back and empty others.

    Hosts: the emptied one, every host holding its instances, and a few of the least loaded
    hosts of its zone that may be emptied instead (the sources with it).
    """
    holders = {
        host
        for index in problem.origin_items.get(emptied, ())
        for host in placement.where[index]
        if host != emptied
    }
    zone = problem.hosts[emptied].zone
    candidates = [
        h
        for h in problem.zones()[zone]
        if h not in holders and h != emptied and not problem.hosts[h].pinned and on_host[h]
    ]
    candidates.sort(key=lambda h: release_order(problem, loads, h))
    room = max(1, min(SWAP_CANDIDATES, size - len(holders) - 1))
    pool = candidates[: 3 * room]
    chosen = rng.sample(pool, min(room, len(pool)))
    return [emptied, *sorted(holders), *chosen], [emptied, *chosen]


def _moved(problem: Problem, placement: Placement, indexes) -> tuple[int, int]:
    """Migrations and MB of the given items' moved units."""
    migrations = mb = 0
    for index in indexes:
        item = problem.items[index]
        moved = item.count - placement.where[index].get(item.origin, 0)
        migrations += moved * item.migrations
        mb += moved * (item.size[1] if item.kind == "live" else item.size[2] * 1024)
    return migrations, mb
