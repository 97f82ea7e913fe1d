"""Which hosts a balancing move may target: upstream's ``host_choice`` (reference §4.6).

* ``cycle`` — the hosts are walked in turn (by hostname): each instance considered is tried on
  the next host after the last one tried, so successive tries spread over the whole cluster;
* ``retry`` — each instance is tried on ``retry_count`` hosts drawn at random (without
  replacement); the draw is seeded by the audit, so one audit of one cluster always gives the
  same plan;
* ``fullsearch`` — each instance is tried on every host (the best move there is, at a cost
  that grows with the hosts).

The source host is never a candidate. Capacity and zone are checked by the caller.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

CHOICES = ("cycle", "retry", "fullsearch")


class HostChoice:
    def __init__(self, how: str, hosts: Sequence[str], retry_count: int = 1, seed: str = ""):
        if how not in CHOICES:
            raise ValueError(f"host_choice must be one of {CHOICES}, not {how!r}")
        self.how = how
        self.hosts = sorted(hosts)
        self.retry_count = max(1, retry_count)
        self._cursor = 0
        self._rng = random.Random(f"host_choice:{seed}")

    def candidates(self, source: str) -> list[str]:
        """Destinations to try for one instance on ``source``."""
        hosts = self.hosts
        if len(hosts) < 2:
            return []
        if self.how == "fullsearch":
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
