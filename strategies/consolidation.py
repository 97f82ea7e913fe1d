"""Emptying whole nodes, least loaded first, into the tightest nodes that fit (best fit).

Shared by ``basic`` and ``vm_workload_consolidation``. Unlike upstream, a node's instances move
only if *all* of them fit elsewhere: a migration that does not release a node is churn, so it
is never planned. A node that received instances is never emptied afterwards, so no instance
moves twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from strategies.common import add_migration, movable
from strategies.packing import Packer, Vector
from watcher_celery.decision_engine.model import ClusterModel, Instance
from watcher_celery.plugins import Solution


@dataclass
class Outcome:
    released: list[str] = field(default_factory=list)
    migrations: int = 0


def empty_nodes(
    model: ClusterModel,
    sources: Iterable[str],
    demand: Callable[[Instance], Vector],
    packer: Packer,
    solution: Solution,
    max_failures: int = 0,
    received: set[str] | None = None,
) -> Outcome:
    """Try to empty each source in turn; ``max_failures`` > 0 stops after that many misses.

    ``received`` names nodes that already took instances (never emptied, so nothing moves
    twice); it is updated in place.
    """
    outcome = Outcome()
    received = set() if received is None else received
    failures = 0
    for hostname in sources:
        if hostname in received:
            continue
        instances = model.instances_on(hostname)
        if not instances or not all(movable(i) for i in instances):
            continue
        previous = packer.free.get(hostname)
        if previous is not None:
            packer.remove(hostname)
        demands = sorted(((demand(i), i) for i in instances), key=lambda p: p[0], reverse=True)
        moves = []
        for vector, instance in demands:
            destination = packer.place(vector)
            if destination is None:
                break
            moves.append((instance, destination))
        if len(moves) < len(instances):
            packer.rollback()
            if previous is not None:
                packer.insert(hostname, previous)
            failures += 1
            if max_failures and failures >= max_failures:
                break
            continue
        packer.commit()
        for instance, destination in moves:
            add_migration(solution, instance, hostname, destination)
            model.migrate_instance(instance.uuid, destination)
            received.add(destination)
        outcome.released.append(hostname)
        outcome.migrations += len(moves)
    return outcome
