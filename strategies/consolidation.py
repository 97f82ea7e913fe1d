"""Emptying whole nodes, least loaded first, into the tightest nodes that fit (best fit).

Shared by ``basic`` and ``vm_workload_consolidation``. Unlike upstream, a node's instances move
only if *all* of them fit elsewhere: a migration that does not release a node is churn, so it
is never planned. A node that received instances is never emptied afterwards, so no instance
moves twice. Every destination obeys ``strategies.feasibility``: the packers hold only enabled
nodes' free vCPU, memory and disk, and a pinned instance or a server group's member is asked
about its zone and group (an affinity group's members never move, so their hosts stay).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from strategies.common import add_migration
from strategies.feasibility import accepts, may_move, needs_test
from strategies.packing import Packer, Vector
from watcher_celery.model import ClusterModel, Instance
from watcher_celery.plugins import Solution


@dataclass
class Outcome:
    released: list[str] = field(default_factory=list)
    moves: list[tuple[Instance, str, str]] = field(default_factory=list)  # (instance, src, dst)

    @property
    def migrations(self) -> int:
        return len(self.moves)

    @property
    def worth(self) -> tuple[int, int]:
        """Ordering outcomes: more nodes released, then fewer migrations."""
        return len(self.released), -self.migrations


# A node's instances, largest demand first: (demand, instance, whether the zone and group
# rules must be asked).
Contents = list[tuple[Vector, Instance, bool]]


def node_contents(
    model: ClusterModel, hostname: str, demand: Callable[[Instance], Vector]
) -> Contents | None:
    """What emptying ``hostname`` moves, in order; None when it is empty or holds an instance
    that may not move."""
    instances = model.instances_on(hostname)
    if not instances or not all(may_move(model, i) for i in instances):
        return None
    ranked = sorted(((demand(i), i) for i in instances), key=lambda p: p[0], reverse=True)
    # Floats for the packer (see Packer.find).
    return [
        (tuple(map(float, vector)), instance, needs_test(model, instance))
        for vector, instance in ranked
    ]


def empty_nodes(
    model: ClusterModel,
    sources: Iterable[str],
    demand: Callable[[Instance], Vector],
    packer: Packer,
    max_failures: int = 0,
    received: Iterable[str] = (),
    contents: dict[str, Contents | None] | None = None,
    to_beat: int = 0,
) -> Outcome:
    """Plan emptying each source in turn; ``max_failures`` > 0 stops after that many misses.

    ``received`` names nodes that already took instances (never emptied, so nothing moves
    twice). The model is not changed (a source never receives, so its instances are the
    model's); :func:`apply` does that for the outcome kept. ``contents`` caches
    :func:`node_contents` by source, for several plans over the same model. ``to_beat`` > 0:
    stop, with the plan so far, once the pass can no longer release that many nodes.
    """
    outcome = Outcome()
    taken = set(received)
    failures = 0
    planned: dict[str, str] = {}  # instance uuid -> destination, for the group rule
    if contents is None:
        contents = {}

    def ranked_of(hostname: str) -> Contents | None:
        if hostname not in contents:
            contents[hostname] = node_contents(model, hostname, demand)
        return contents[hostname]

    # The sources still to come that may be released: with those released, a bound.
    sources = list(sources)
    to_come: set[str] = set()
    if to_beat:
        to_come = {h for h in sources if h not in taken and ranked_of(h) is not None}
    for hostname in sources:
        if hostname in taken:
            continue
        ranked = ranked_of(hostname)
        if ranked is None:
            continue
        to_come.discard(hostname)
        previous = packer.free.get(hostname)
        if previous is not None:
            packer.remove(hostname)
        moves = []
        for vector, instance, tested in ranked:
            # Capacity is the packer's; zone and group rules are asked only when they apply.
            accept = accepts(model, instance, planned) if tested else None
            destination = packer.place(vector, accept=accept)
            if destination is None:
                break
            moves.append((instance, hostname, destination))
            planned[instance.uuid] = destination
        if len(moves) < len(ranked):
            for instance, _, _ in moves:
                del planned[instance.uuid]
            packer.rollback()
            if previous is not None:
                packer.insert(hostname, previous)
            failures += 1
            if max_failures and failures >= max_failures:
                break
        else:
            packer.commit()
            destinations = {destination for _, _, destination in moves}
            taken |= destinations
            to_come -= destinations
            outcome.released.append(hostname)
            outcome.moves.extend(moves)
        if len(outcome.released) + len(to_come) < to_beat:
            break
    return outcome


def best_emptying(
    model: ClusterModel,
    order: Callable[[int], Iterable[str]],
    demand: Callable[[Instance], Vector],
    packer: Packer,
    keys: Iterable[int],
    first: int | None = None,
    **options,
) -> Outcome:
    """Plan with each resource in turn as the deciding one; keep the plan releasing most.

    Multi-resource packing has no single best order: on the simulated cloud, which resource
    the sources are ordered and the destinations sorted by changes the nodes released by 10 %.
    ``order(key)`` gives the sources for a key. Of equally good plans, the one of the key
    listed first in ``keys`` is kept.

    ``first`` (one of ``keys``) is tried first: the key likely to release most, so that the
    other passes stop as soon as they cannot match it (``to_beat`` of :func:`empty_nodes`);
    the plan kept is the same whatever it is. A key whose resource is, everywhere the pass
    looks, the same numbers as one already tried (vm_workload_consolidation's measured and
    allocated disk) would plan the same again, so it is skipped.
    """
    keys = list(keys)
    rank = {key: index for index, key in enumerate(keys)}
    best, best_worth = Outcome(), None
    contents: dict[str, Contents | None] = {}  # the same for every key: the model is not changed
    tried: list[tuple[int, list[str]]] = []
    for key in sorted(keys, key=lambda k: k != first):  # first, then the others in order
        sources = list(order(key))
        if any(
            sources == before and _same_resource(model, demand, packer, sources, key, other)
            for other, before in tried
        ):
            continue
        tried.append((key, sources))
        # A pass that cannot release as many nodes as the best one is not finished.
        outcome = empty_nodes(
            model,
            sources,
            demand,
            packer.rekeyed(key),
            contents=contents,
            to_beat=len(best.released),
            **options,
        )
        worth = (*outcome.worth, -rank[key])
        if best_worth is None or worth > best_worth:
            best, best_worth = outcome, worth
    return best


def _same_resource(
    model: ClusterModel,
    demand: Callable[[Instance], Vector],
    packer: Packer,
    sources: list[str],
    key: int,
    other: int,
) -> bool:
    """Whether resources ``key`` and ``other`` hold equal amounts in every destination's free
    vector and every source instance's demand: then the passes keyed on them find the same
    nodes, place for place."""
    return all(free[key] == free[other] for free in packer.free.values()) and all(
        (vector := demand(instance))[key] == vector[other]
        for hostname in sources
        for instance in model.iter_instances_on(hostname)
    )


def apply(outcome: Outcome, model: ClusterModel, solution: Solution) -> None:
    """Add the outcome's migrations to the solution and make them in the model."""
    for instance, source, destination in outcome.moves:
        add_migration(solution, instance, source, destination)
        model.migrate_instance(instance.uuid, destination)
