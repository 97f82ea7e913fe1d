"""The starting point: the greedy plan of the existing consolidation engine, made legal.

``basic``'s engine (``strategies.consolidation``: whole hosts emptied, least loaded first,
into the tightest hosts that fit) is run on the cluster; each host it empties is then kept
only if every one of its moves obeys the solver's rules (unmovable instances, zones, hosts
that may receive, whole affinity groups, anti-affinity) and the plan-wide caps. Dropping a
host's moves only frees room on destinations, so what is kept is a legal placement. The
search starts from it and never returns anything worse.
"""

from __future__ import annotations

from collections.abc import Iterable

from strategies.common import available_nodes, up_nodes
from strategies.consolidation import best_emptying
from strategies.packing import Packer
from strategies.solver.neighbourhood import Limits
from strategies.solver.placement import Placement
from strategies.solver.problem import Problem
from strategies.solver.ratio import hold_ratio
from watcher_celery.model import ClusterModel


def greedy(
    model: ClusterModel, unmovable: Iterable[str] = ()
) -> list[tuple[str, list[tuple[str, str]]]]:
    """basic's plan: [(emptied host, [(instance uuid, destination)])] in the order made.

    ``unmovable`` instances are excluded first, so the engine does not plan to move them.
    """
    if unmovable:
        model = model.copy()
        for uuid in unmovable:
            model.instances[uuid].watcher_exclude = True
    packer = Packer(
        {
            n.hostname: model.free(n.hostname)
            for n in available_nodes(model)
            if model.used(n.hostname).count
        }
    )
    used = {n.hostname: model.used(n.hostname) for n in up_nodes(model)}
    used = {h: u for h, u in used.items() if u.count}

    def order(key: int) -> list[str]:
        return sorted(used, key=lambda h: ((used[h].vcpus, used[h].memory, used[h].disk)[key], h))

    outcome = best_emptying(
        model, order, lambda i: (i.vcpus, i.memory, i.disk), packer, keys=range(3)
    )
    plan: dict[str, list[tuple[str, str]]] = {h: [] for h in outcome.released}
    for instance, source, destination in outcome.moves:
        plan[source].append((instance.uuid, destination))
    return list(plan.items())


def warm_start(
    problem: Problem, model: ClusterModel, limits: Limits, ratio: float | None = None
) -> Placement:
    """The best of basic's plan (its legal part) and the pinned-first plans, each first held to
    ``ratio`` migrations per released host when one is given."""
    candidates = [legal_greedy(problem, model, limits)]
    for key in range(3):
        for by_capacity in (False, True):
            candidates.append(pinned_first(problem, limits, key, by_capacity))
    if ratio is not None:
        for candidate in candidates:
            hold_ratio(candidate, ratio)
    return max(candidates, key=Placement.worth)


def legal_greedy(problem: Problem, model: ClusterModel, limits: Limits) -> Placement:
    """The greedy plan's legal part, as a placement."""
    unit_of = {
        unit[0]: item.index for item in problem.items for unit in item.units if len(unit) == 1
    }
    placement = Placement(problem)
    occupied: dict[str, dict[str, int]] = {}  # anti-affinity group -> host -> members
    for item in problem.items:
        if item.anti_group:
            hosts = occupied.setdefault(item.anti_group, {})
            hosts[item.origin] = hosts.get(item.origin, 0) + 1
    migrations = moved_mb = 0
    for source, moves in greedy(model, problem.unmovable):
        steps = []
        for uuid, destination in moves:
            index = unit_of.get(uuid)
            if index is None or not problem.allowed(problem.items[index], destination):
                break
            steps.append((index, destination))
        if len(steps) < len(moves):
            continue
        items = problem.items
        extra_migrations = sum(items[i].migrations for i, _ in steps)
        extra_mb = sum(
            items[i].size[1] if items[i].kind == "live" else items[i].size[2] * 1024
            for i, _ in steps
        )
        if limits.migrations is not None and migrations + extra_migrations > limits.migrations:
            continue
        if limits.cost_bytes is not None and (moved_mb + extra_mb) * 2**20 > limits.cost_bytes:
            continue
        if not _anti_affinity_holds(problem, steps, source, occupied):
            continue
        for index, destination in steps:
            placement.move(index, source, destination)
        migrations += extra_migrations
        moved_mb += extra_mb
    return placement


def _anti_affinity_holds(problem: Problem, steps, source: str, occupied) -> bool:
    """Apply the steps' anti-affinity moves to ``occupied`` if no group would share a host."""
    changes: dict[tuple[str, str], int] = {}
    for index, destination in steps:
        group = problem.items[index].anti_group
        if group is None:
            continue
        hosts = occupied[group]
        if hosts.get(destination, 0) + changes.get((group, destination), 0) >= 1:
            return False
        changes[(group, destination)] = changes.get((group, destination), 0) + 1
        changes[(group, source)] = changes.get((group, source), 0) - 1
    for (group, host), delta in changes.items():
        occupied[group][host] = occupied[group].get(host, 0) + delta
    return True


def pinned_first(problem: Problem, limits: Limits, key: int, by_capacity: bool) -> Placement:
    """Basic's way (whole hosts, least loaded on resource ``key`` first, tightest fit), but
    into hosts that can never be released first: a host kept anyway is the cheapest room.
    ``by_capacity`` empties the smallest hosts first instead (the relaxation keeps the
    largest), the least loaded first among hosts alike.

    Sources with server-group members are left alone here (the search may still move them).
    """
    placement = Placement(problem)
    loads = placement.loads()
    packers: dict[tuple[str | None, bool], Packer] = {}
    for name, host in problem.hosts.items():
        if host.receives:
            free = tuple(host.capacity[k] - loads[name][k] for k in range(3))
            packers.setdefault((host.zone, host.pinned), Packer({}, key=key)).insert(name, free)
    grouped = {i.origin for i in problem.items if i.anti_group or i.migrations > 1}
    sources = [
        h
        for h, host in problem.hosts.items()
        if not host.pinned and not host.initially_empty and h not in grouped
    ]
    if by_capacity:
        sources.sort(key=lambda h: (problem.hosts[h].capacity[key], loads[h][key], h))
    else:
        sources.sort(key=lambda h: (loads[h][key], h))
    taken: set[str] = set()
    budget = [limits.migrations, limits.cost_bytes]
    for source in sources:
        if source in taken:
            continue
        zone = problem.hosts[source].zone
        pair = [packers.get((zone, True)), packers.get((zone, False))]
        pair = [p for p in pair if p is not None]
        own = pair[-1] if pair and source in pair[-1] else None
        previous = own.free[source] if own else None
        if own:
            own.remove(source)
        units = sorted(
            (
                (problem.items[i].size, i)
                for i in problem.origin_items.get(source, ())
                for _ in range(problem.items[i].count)
            ),
            reverse=True,
        )
        moves = []
        for size, index in units:
            destination = next((d for p in pair if (d := p.place(size)) is not None), None)
            if destination is None:
                break
            moves.append((index, destination))
        if len(moves) < len(units) or not _within(problem, moves, budget):
            for p in pair:
                p.rollback()
            if own:
                own.insert(source, previous)
            continue
        for p in pair:
            p.commit()
        for index, destination in moves:
            placement.move(index, source, destination)
            taken.add(destination)
    return placement


def _within(problem: Problem, moves, budget: list) -> bool:
    """Charge the moves to the caps (migrations, bytes) if they fit in what is left."""
    items = problem.items
    migrations = sum(items[i].migrations for i, _ in moves)
    copied = sum(
        (items[i].size[1] if items[i].kind == "live" else items[i].size[2] * 1024) * 2**20
        for i, _ in moves
    )
    if budget[0] is not None and migrations > budget[0]:
        return False
    if budget[1] is not None and copied > budget[1]:
        return False
    if budget[0] is not None:
        budget[0] -= migrations
    if budget[1] is not None:
        budget[1] -= copied
    return True
