"""Where every unit of every item is, and what that placement is worth.

A placement is the plan: a unit not on its item's origin is one migration (or one per member
of an affinity group), straight from the origin to where it is. Its worth is compared
lexicographically: more hosts emptied first, then less to copy.
"""

from __future__ import annotations

from strategies.solver.problem import Problem


class Placement:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.where: list[dict[str, int]] = [{item.origin: item.count} for item in problem.items]

    def copy(self) -> Placement:
        new = Placement.__new__(Placement)
        new.problem = self.problem
        new.where = [dict(w) for w in self.where]
        return new

    def move(self, index: int, source: str, destination: str, units: int = 1) -> None:
        where = self.where[index]
        where[source] -= units
        if not where[source]:
            del where[source]
        where[destination] = where.get(destination, 0) + units

    def on_host(self) -> dict[str, list[tuple[int, int]]]:
        """Host -> [(item index, units)] for the units placed there."""
        out: dict[str, list[tuple[int, int]]] = {h: [] for h in self.problem.hosts}
        for index, where in enumerate(self.where):
            for host, units in where.items():
                out[host].append((index, units))
        return out

    def loads(self) -> dict[str, list[int]]:
        """Host -> load (vCPUs, MB, GB), fixed load included."""
        out = {h: list(host.fixed) for h, host in self.problem.hosts.items()}
        for item, where in zip(self.problem.items, self.where, strict=True):
            for host, units in where.items():
                load = out[host]
                for k in range(3):
                    load[k] += item.size[k] * units
        return out

    def moved_units(self) -> list[int]:
        return [
            item.count - where.get(item.origin, 0)
            for item, where in zip(self.problem.items, self.where, strict=True)
        ]

    def migrations(self) -> int:
        items = self.problem.items
        return sum(items[i].migrations * n for i, n in enumerate(self.moved_units()))

    def cost(self) -> int:
        items = self.problem.items
        return sum(items[i].cost * n for i, n in enumerate(self.moved_units()))

    def moved_mb(self) -> int:
        """MB to copy: memory of live migrations, disk of cold ones."""
        total = 0
        for item, moved in zip(self.problem.items, self.moved_units(), strict=True):
            if moved:
                total += moved * (item.size[1] if item.kind == "live" else item.size[2] * 1024)
        return total

    def bytes_moved(self) -> int:
        return self.moved_mb() * 2**20

    def empty_hosts(self) -> set[str]:
        busy = {h for h, host in self.problem.hosts.items() if host.pinned}
        for where in self.where:
            busy.update(where)
        return set(self.problem.hosts) - busy

    def released(self) -> list[str]:
        """Hosts that held instances and hold none after the plan."""
        hosts = self.problem.hosts
        return sorted(h for h in self.empty_hosts() if not hosts[h].initially_empty)

    def net_released(self) -> int:
        """Hosts emptied minus empty hosts the plan fills."""
        initially = sum(1 for h in self.problem.hosts.values() if h.initially_empty)
        return len(self.empty_hosts()) - initially

    def worth(self) -> tuple[int, int]:
        return (self.net_released(), -self.cost())
