"""Best-fit placement over many nodes without scanning them all: the consolidation engine.

Nodes are kept in a list sorted by their free amount of the *key* resource: the scarcest one
across the cluster (least free in proportion to capacity), since that is the one that decides
whether an instance fits; with no capacities given it is the first element of the vector.
Placing a demand bisects to the nodes with just enough key resource and checks the other
resources on the ``probe`` tightest, then on a few windows at doubling distances, so a
placement costs O(log n + probe) instead of upstream's O(n) walk over every node. Moves are
tentative until committed, so a strategy can try to empty a whole node and roll back if one
instance does not fit (all-or-nothing: no migration that releases nothing).
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain

Vector = tuple[float, ...]
WINDOW = 8


class Packer:
    def __init__(
        self,
        free: dict[str, Vector],
        capacity: dict[str, Vector] | None = None,
        probe: int = 16,
        key: int | None = None,
    ) -> None:
        self.free = dict(free)
        self.probe = probe
        if key is None:
            key = scarcity_order(self.free, capacity)[0] if capacity else 0
        self.key = key
        # (key amount, hostname, free vector): the vector rides along so a probe reads no dict.
        self._sorted: list[tuple[float, str, Vector]] = sorted(
            (v[self.key], h, v) for h, v in self.free.items()
        )
        self._pending: list[tuple[str, Vector]] = []
        self._lead: int | None = None  # the resource find tests first (see _tests)
        self._orders: dict[tuple[int, int | None], list[int]] = {}

    def rekeyed(self, key: int) -> Packer:
        """A copy sorted on another resource (for trying each as the deciding one)."""
        return Packer(self.free, probe=self.probe, key=key)

    def __contains__(self, hostname: str) -> bool:
        return hostname in self.free

    def remove(self, hostname: str) -> None:
        """Take a node out of the candidate destinations (it is being emptied or released)."""
        vector = self.free.pop(hostname)
        del self._sorted[bisect.bisect_left(self._sorted, (vector[self.key], hostname))]

    def insert(self, hostname: str, vector: Vector) -> None:
        """Make a node a candidate destination with ``vector`` free."""
        vector = tuple(vector)
        self.free[hostname] = vector
        bisect.insort(self._sorted, (vector[self.key], hostname, vector))

    def _set(self, hostname: str, vector: Vector) -> None:
        """Change a node's free vector and move its entry (two memmoves: no entry is copied)."""
        ordered, key = self._sorted, self.key
        del ordered[bisect.bisect_left(ordered, (self.free[hostname][key], hostname))]
        self.free[hostname] = vector
        bisect.insort(ordered, (vector[key], hostname, vector))

    def find(
        self,
        demand: Sequence[float],
        exclude: str | None = None,
        accept: Callable[[str], bool] | None = None,
    ) -> str | None:
        """A node that fits ``demand`` in every resource, preferring the tightest on the key.

        Amounts are best given as floats, as the free ones are: CPython compares an int with a
        float several times slower (exactly, either way).

        ``accept`` (optional) is asked about a node that fits, for rules other than capacity
        (the instance's availability zone, ``strategies.feasibility``).

        The ``probe`` tightest candidates are checked first; when they are full in another
        resource, windows further up (at doubling distances, then the loosest nodes) are
        tried, so a crowded band of nearly full nodes does not hide the roomy ones.
        """
        start = bisect.bisect_left(self._sorted, (demand[self.key], ""))
        candidates = chain.from_iterable(self._windows(start))
        tests = self._tests(len(demand))
        hostname, self._lead = _first_fit(candidates, demand, tests, exclude, accept)
        return hostname

    def _tests(self, width: int) -> list[int]:
        """The resources find tests, in order: the key fits from the bisection on, the others
        are tested one by one, first the one that turned the last node down (in a crowded band
        it is mostly the same one)."""
        tests = self._orders.get((width, self._lead))
        if tests is None:
            tests = [k for k in range(width) if k != self.key] or [self.key]
            if self._lead in tests:
                tests.remove(self._lead)
                tests.insert(0, self._lead)
            self._orders[(width, self._lead)] = tests
        return tests

    def _windows(self, start: int) -> Iterator[list[tuple[float, str, Vector]]]:
        """The candidates from ``start`` in the order :meth:`find` tries them."""
        ordered = self._sorted
        end = len(ordered)
        low, high, step = start, start + self.probe, self.probe
        while True:
            yield ordered[low:high]
            if high >= end:
                return
            low = start + step
            if low >= end - WINDOW:
                low, high = max(high, end - WINDOW), end
            else:
                high = low + WINDOW
                step *= 2

    def add(self, hostname: str, demand: Sequence[float]) -> None:
        """Tentatively consume ``demand`` on ``hostname`` (negative demand frees)."""
        demand = tuple(demand)
        self._pending.append((hostname, demand))
        self._set(hostname, tuple(map(operator.sub, self.free[hostname], demand)))

    def place(
        self,
        demand: Sequence[float],
        exclude: str | None = None,
        accept: Callable[[str], bool] | None = None,
    ) -> str | None:
        hostname = self.find(demand, exclude, accept)
        if hostname is not None:
            self.add(hostname, demand)
        return hostname

    def commit(self) -> None:
        self._pending.clear()

    def rollback(self) -> None:
        for hostname, demand in reversed(self._pending):
            if hostname in self.free:
                self._set(hostname, tuple(map(operator.add, self.free[hostname], demand)))
        self._pending.clear()


def _first_fit(
    candidates: Iterable[tuple[float, str, Vector]],
    demand: Vector,
    tests: list[int],
    exclude: str | None,
    accept: Callable[[str], bool] | None,
) -> tuple[str | None, int]:
    """The first candidate with room for ``demand`` in the resources ``tests`` (tested in
    that order), and the resource that turned the last candidate down."""
    (first, wanted_first), *rest = [(k, demand[k]) for k in tests]
    lead = first
    for _, hostname, vector in candidates:
        if wanted_first > vector[first]:  # most candidates stop here
            lead = first
            continue
        for k, wanted in rest:
            if wanted > vector[k]:
                lead = k
                break
        else:
            if hostname != exclude and (accept is None or accept(hostname)):
                return hostname, lead
    return None, lead


def scarcity_order(free: dict[str, Vector], capacity: dict[str, Vector] | None) -> list[int]:
    """Resource indexes, scarcest first (least free in proportion to capacity, cluster-wide)."""
    hosts = [h for h in free if capacity and h in capacity]
    if not hosts:
        return [0]
    width = len(free[hosts[0]])
    ratios = []
    for k in range(width):
        total = sum(capacity[h][k] for h in hosts)
        ratios.append(sum(free[h][k] for h in hosts) / total if total > 0 else float("inf"))
    return sorted(range(width), key=ratios.__getitem__)
