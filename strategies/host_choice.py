"""Which hosts a balancing move may target: upstream's ``host_choice`` (reference §4.6).

* ``cycle`` — the hosts are walked in turn (by hostname): each instance considered is tried on
  the next host after the last one tried, so successive tries spread over the whole cluster;
* ``retry`` — each instance is tried on ``retry_count`` hosts drawn at random (without
  replacement); the draw is seeded by the audit, so one audit of one cluster always gives the
  same plan;
* ``fullsearch`` — each instance is tried on every host: the best move there is. Balancing
  one metric, that is answered without trying every host (:class:`LeastLoaded`).

The source host is never a candidate. Capacity and zone are checked by the caller.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence

CHOICES = ("cycle", "retry", "fullsearch")
FITS_TRIED = 8  # least loaded hosts of each capacity tried by a one-metric fullsearch


class HostChoice:
    def __init__(
        self,
        how: str,
        hosts: Sequence[str],
        retry_count: int = 1,
        seed: str = "",
        least: LeastLoaded | None = None,
    ):
        if how not in CHOICES:
            raise ValueError(f"host_choice must be one of {CHOICES}, not {how!r}")
        self.how = how
        self.hosts = sorted(hosts)
        self.retry_count = max(1, retry_count)
        self._cursor = 0
        self._rng = random.Random(f"host_choice:{seed}")
        self.least = least

    @property
    def per_instance(self) -> bool:
        """cycle and retry draw anew for each instance; fullsearch's hosts are the same."""
        return self.how != "fullsearch"

    def candidates(self, source: str) -> list[str]:
        """Destinations to try for one instance on ``source``."""
        hosts = self.hosts
        if len(hosts) < 2:
            return []
        if self.how == "fullsearch":
            if self.least is not None:
                return self.least.lowest(FITS_TRIED, source)
            return [h for h in hosts if h != source]
        if self.how == "cycle":
            host = hosts[self._cursor % len(hosts)]
            self._cursor += 1
            if host == source:
                host = hosts[self._cursor % len(hosts)]
                self._cursor += 1
            return [host]
        count = min(self.retry_count, len(hosts) - 1)
        picked: list[str] = []
        while len(picked) < count:
            host = hosts[self._rng.randrange(len(hosts))]
            if host != source and host not in picked:
                picked.append(host)
        return picked


class LeastLoaded:
    """The least loaded hosts of each capacity, on one metric: what a fullsearch needs.

    Moving an amount to a host of capacity c changes Σf by a fixed a/c and Σf² by
    2·f·a/c + (a/c)², so among hosts of one capacity the deviation after the move grows with
    the destination's load f: the best destination of a capacity is its least loaded host that
    can take the instance. One min-heap per capacity (stale entries skipped) gives the
    ``count`` least loaded of each in O(count · log n); the best move over every host is among
    them unless all ``count`` lack room.
    """

    def __init__(self, loads: dict[str, float], capacity: dict[str, float]) -> None:
        self.loads, self.capacity = loads, capacity  # live: the balance's own maps
        self.heaps: dict[float, list[tuple[float, str]]] = {}
        for host, load in loads.items():
            self.heaps.setdefault(capacity[host], []).append((load, host))
        for heap in self.heaps.values():
            heapq.heapify(heap)

    def moved(self, host: str) -> None:
        heapq.heappush(self.heaps[self.capacity[host]], (self.loads[host], host))

    def lowest(self, count: int, exclude: str) -> list[str]:
        found: list[str] = []
        for heap in self.heaps.values():
            kept = []
            taken = 0
            while heap and taken < count:
                load, host = heapq.heappop(heap)
                if self.loads[host] != load or (load, host) in kept:
                    continue  # stale or repeated
                kept.append((load, host))
                if host != exclude:
                    found.append(host)
                    taken += 1
            for entry in kept:
                heapq.heappush(heap, entry)
        return found
