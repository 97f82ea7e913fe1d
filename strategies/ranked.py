"""Placing instances on hosts in an order of preference (coolest, least airflow, least cache).

The threshold strategies (outlet_temperature, uniform_airflow, noisy_neighbor) send an instance
to the *most preferred* host that can take it: exact first fit in preference order. A segment
tree over the ranking keeps, per subtree, the most free vCPU, memory and disk of any host in
it, so the search skips every subtree where no host has enough of one resource: O(log n) per
placement when hosts have room, never a scan of hosts known to be too full. Pinned instances
and server groups' members are asked about their zone and group (``strategies.feasibility``,
with the places already chosen in this audit). Placements are tentative until
:meth:`commit`; :meth:`rollback` undoes them (all-or-nothing emptying).
"""

from __future__ import annotations

from collections.abc import Iterable

from strategies.feasibility import accepts
from watcher_celery.model import ClusterModel, Instance

NONE = (-1.0, -1.0, -1.0)


class RankedHosts:
    def __init__(self, model: ClusterModel, preferred: Iterable[str]) -> None:
        self.model = model
        self.hosts = [h for h in preferred if model.nodes[h].available]
        size = 1
        while size < max(1, len(self.hosts)):
            size *= 2
        self.size = size
        self.tree: list[tuple[float, float, float]] = [NONE] * (2 * size)
        for index, hostname in enumerate(self.hosts):
            self.tree[size + index] = tuple(model.free(hostname))
        for node in range(size - 1, 0, -1):
            self._pull(node)
        self.index = {h: i for i, h in enumerate(self.hosts)}
        self._pending: list[tuple[int, tuple[float, float, float]]] = []
        self._pending_uuids: list[str] = []
        self.planned: dict[str, str] = {}  # instance uuid -> host chosen here

    def _pull(self, node: int) -> None:
        a, b = self.tree[2 * node], self.tree[2 * node + 1]
        self.tree[node] = (max(a[0], b[0]), max(a[1], b[1]), max(a[2], b[2]))

    def _set(self, index: int, free: tuple[float, float, float]) -> None:
        node = self.size + index
        self.tree[node] = free
        node //= 2
        while node:
            self._pull(node)
            node //= 2

    def _first(self, need, accept) -> int | None:
        stack = [1]
        while stack:
            node = stack.pop()
            top = self.tree[node]
            if top[0] < need[0] or top[1] < need[1] or top[2] < need[2]:
                continue
            if node >= self.size:
                index = node - self.size
                if accept is None or accept(self.hosts[index]):
                    return index
                continue
            stack.append(2 * node + 1)  # right after left: the left (better ranked) first
            stack.append(2 * node)
        return None

    def place(self, instance: Instance) -> str | None:
        """Tentatively place ``instance`` on the best-ranked host that can take it."""
        accept = accepts(self.model, instance, self.planned)
        need = (instance.vcpus, instance.memory, instance.disk)
        index = self._first(need, accept)
        if index is None:
            return None
        free = self.tree[self.size + index]
        self._pending.append((index, free))
        self._pending_uuids.append(instance.uuid)
        self._set(index, (free[0] - need[0], free[1] - need[1], free[2] - need[2]))
        self.planned[instance.uuid] = self.hosts[index]
        return self.hosts[index]

    def take(self, hostname: str, instance: Instance) -> None:
        """Count an instance placed on ``hostname`` by other means (a named destination)."""
        index = self.index.get(hostname)
        if index is not None:
            free = self.tree[self.size + index]
            need = (instance.vcpus, instance.memory, instance.disk)
            self._set(index, (free[0] - need[0], free[1] - need[1], free[2] - need[2]))
        self.planned[instance.uuid] = hostname

    def remove(self, hostname: str) -> None:
        """No more instances for this host in this audit."""
        self._set(self.index[hostname], NONE)

    def commit(self) -> None:
        self._pending.clear()
        self._pending_uuids.clear()

    def rollback(self) -> None:
        for index, free in reversed(self._pending):
            self._set(index, free)
        for uuid in self._pending_uuids:
            self.planned.pop(uuid, None)
        self._pending.clear()
        self._pending_uuids.clear()
