"""Best-fit placement over many nodes without scanning them all: the consolidation engine.

Nodes are kept in a list sorted by their free amount of the *key* resource (the first element
of the free vector). Placing a demand bisects to the nodes with just enough key resource and
checks the other resources on at most ``probe`` of them, tightest first, so a placement costs
O(log n + probe) instead of upstream's O(n) walk over every node. Moves are tentative until
committed, so a strategy can try to empty a whole node and roll back if one instance does not
fit (all-or-nothing: no migration that releases nothing).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

Vector = tuple[float, ...]


class Packer:
    def __init__(self, free: dict[str, Vector], probe: int = 64) -> None:
        self.free = dict(free)
        self.probe = probe
        self._sorted: list[tuple[float, str]] = sorted((v[0], h) for h, v in self.free.items())
        self._pending: list[tuple[str, Vector]] = []

    def __contains__(self, hostname: str) -> bool:
        return hostname in self.free

    def remove(self, hostname: str) -> None:
        """Take a node out of the candidate destinations (it is being emptied or released)."""
        vector = self.free.pop(hostname)
        index = bisect.bisect_left(self._sorted, (vector[0], hostname))
        del self._sorted[index]

    def insert(self, hostname: str, vector: Vector) -> None:
        """Make a node a candidate destination with ``vector`` free."""
        self.free[hostname] = tuple(vector)
        bisect.insort(self._sorted, (vector[0], hostname))

    def _set(self, hostname: str, vector: Vector) -> None:
        self.remove(hostname)
        self.insert(hostname, vector)

    def find(self, demand: Sequence[float], exclude: str | None = None) -> str | None:
        """The node with the least key resource left that fits ``demand`` in every resource."""
        start = bisect.bisect_left(self._sorted, (demand[0], ""))
        for _, hostname in self._sorted[start : start + self.probe]:
            if hostname == exclude:
                continue
            free = self.free[hostname]
            if all(d <= f for d, f in zip(demand, free, strict=True)):
                return hostname
        return None

    def add(self, hostname: str, demand: Sequence[float]) -> None:
        """Tentatively consume ``demand`` on ``hostname`` (negative demand frees)."""
        self._pending.append((hostname, tuple(demand)))
        free = self.free[hostname]
        self._set(hostname, tuple(f - d for f, d in zip(free, demand, strict=True)))

    def place(self, demand: Sequence[float], exclude: str | None = None) -> str | None:
        hostname = self.find(demand, exclude)
        if hostname is not None:
            self.add(hostname, demand)
        return hostname

    def commit(self) -> None:
        self._pending.clear()

    def rollback(self) -> None:
        for hostname, demand in reversed(self._pending):
            if hostname in self.free:
                free = self.free[hostname]
                self._set(hostname, tuple(f + d for f, d in zip(free, demand, strict=True)))
        self._pending.clear()
