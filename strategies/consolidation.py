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

    def better_than(self, other: Outcome | None) -> bool:
        """More nodes released, then fewer migrations."""
        if other is None:
            return True
        return (len(self.released), -self.migrations) > (len(other.released), -other.migrations)


def empty_nodes(
    model: ClusterModel,
    sources: Iterable[str],
    demand: Callable[[Instance], Vector],
    packer: Packer,
    max_failures: int = 0,
    received: Iterable[str] = (),
) -> Outcome:
    """Plan emptying each source in turn; ``max_failures`` > 0 stops after that many misses.

    ``received`` names nodes that already took instances (never emptied, so nothing moves
    twice). The model is not changed (a source never receives, so its instances are the
    model's); :func:`apply` does that for the outcome kept.
    """
    outcome = Outcome()
    taken = set(received)
    failures = 0
    planned: dict[str, str] = {}  # instance uuid -> destination, for the group rule
    for hostname in sources:
        if hostname in taken:
            continue
        instances = model.instances_on(hostname)
        if not instances or not all(may_move(model, i) for i in instances):
            continue
        previous = packer.free.get(hostname)
        if previous is not None:
            packer.remove(hostname)
        demands = sorted(((demand(i), i) for i in instances), key=lambda p: p[0], reverse=True)
        moves = []
        for vector, instance in demands:
            # Capacity is the packer's; zone and group rules are asked only when they apply.
            accept = accepts(model, instance, planned) if needs_test(model, instance) else None
            destination = packer.place(vector, accept=accept)
            if destination is None:
                break
            moves.append((instance, hostname, destination))
            planned[instance.uuid] = destination
        if len(moves) < len(instances):
            for instance, _, _ in moves:
                del planned[instance.uuid]
            packer.rollback()
            if previous is not None:
                packer.insert(hostname, previous)
            failures += 1
            if max_failures and failures >= max_failures:
                break
            continue
        packer.commit()
        taken.update(destination for _, _, destination in moves)
        outcome.released.append(hostname)
        outcome.moves.extend(moves)
    return outcome


def best_emptying(
    model: ClusterModel,
    order: Callable[[int], Iterable[str]],
    demand: Callable[[Instance], Vector],
    packer: Packer,
    keys: Iterable[int],
    **options,
) -> Outcome:
    """Plan with each resource in turn as the deciding one; keep the plan releasing most.

    Multi-resource packing has no single best order: on the simulated cloud, which resource
    the sources are ordered and the destinations sorted by changes the nodes released by 10 %.
    ``order(key)`` gives the sources for a key.
    """
    best = None
    for key in keys:
        outcome = empty_nodes(model, order(key), demand, packer.rekeyed(key), **options)
        if outcome.better_than(best):
            best = outcome
    return best or Outcome()


def apply(outcome: Outcome, model: ClusterModel, solution: Solution) -> None:
    """Add the outcome's migrations to the solution and make them in the model."""
    for instance, source, destination in outcome.moves:
        add_migration(solution, instance, source, destination)
        model.migrate_instance(instance.uuid, destination)
