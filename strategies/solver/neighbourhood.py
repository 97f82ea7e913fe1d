"""One neighbourhood: re-place, exactly, the units of a few *source* hosts among a few dozen.

Given the current placement, a set of hosts and the sources among them, the *variable* units
are those on a source and those of a source's own instances wherever they are in the set (so a
source emptied earlier may take them back). The model has one integer variable per item and
host of the set (how many of its variable units end there), one boolean per source (kept or
emptied) and one per source whose own units may leave (it may then take none: a host is a
source or a destination, never both, so the migrations of the plan can run in any order and
each instance moves once, straight from its origin to where it ends). The other hosts keep what
they hold (but the variable units) and offer what room they have left. Constraints: vCPU,
memory and disk of every host (fixed load included), the items' zones and the hosts that may
receive, anti-affinity groups, the plan-wide caps on migrations and bytes (the moves
outside the neighbourhood are constants) and, with ``per_released``, no change that adds more
migrations than ``per_released`` × the hosts it adds to the released ones, plus the slack the
whole plan has left under that ratio (so a plan within the ratio stays within it). The
objective is lexicographic in one weighted sum: every source emptied is worth more than all the
migration cost the neighbourhood can spend.

Keeping most hosts fixed keeps the model small (a few thousand variables for 40 hosts), which
is what lets CP-SAT solve one in a fraction of a second; which hosts are sources changes from
round to round. The current placement is a feasible solution and is given to the solver as a
hint; the search keeps a result only if it is strictly better.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from strategies.solver.linear import LinearModel, Result
from strategies.solver.placement import Placement
from strategies.solver.problem import Problem


@dataclass(frozen=True)
class Limits:
    migrations: int | None = None
    cost_bytes: int | None = None
    per_released: float | None = None  # most migrations per released host


@dataclass
class Neighbourhood:
    model: LinearModel
    variable: dict[str, list[int]]  # host -> items whose units there are re-placed
    units: dict[int, int]  # item index -> its variable units
    cells: dict[tuple[int, str], int]  # (item, host) -> variable
    kept: list[tuple[int, int]] = field(default_factory=list)  # (source kept?, value now)

    def current_value(self) -> int:
        return sum(self.model.hint[v] * c for v, c in self.model.objective)

    def apply(self, placement: Placement, result: Result) -> None:
        for host, indexes in self.variable.items():
            for index in indexes:
                placement.where[index].pop(host, None)
        for (index, host), var in self.cells.items():
            units = result.values[var]
            if units:
                where = placement.where[index]
                where[host] = where.get(host, 0) + units


def build(
    problem: Problem,
    placement: Placement,
    on_host: dict[str, list[tuple[int, int]]],
    loads: dict[str, list[int]],
    hosts: Iterable[str],
    sources: Iterable[str],
    limits: Limits,
    totals: tuple[int, int],
    ratio_slack: int = 0,
) -> Neighbourhood:
    """The model for ``hosts``: units on ``sources`` are re-placed, the rest stays.

    ``on_host``, ``loads`` and ``totals`` (migrations, MB) describe the current placement;
    ``ratio_slack`` is how far the whole plan is under ``limits.per_released``, in the units
    of :func:`ratio_slack`.
    """
    hosts = list(hosts)
    sources = set(sources)
    items = problem.items
    # Variable: every unit on a source, and every unit here of an item from a source (so an
    # emptied source can take its instances back and another host be emptied instead).
    units: dict[int, int] = {}
    moving: dict[str, list[tuple[int, int]]] = {h: [] for h in hosts}
    for host in hosts:
        for index, count in on_host[host]:
            if host in sources or items[index].origin in sources:
                units[index] = units.get(index, 0) + count
                moving[host].append((index, count))
    open_ = {h: _takes_foreign(problem, placement, h) for h in hosts if h not in sources}
    lp = LinearModel()
    cells: dict[tuple[int, str], int] = {}
    for index, count in units.items():
        item = items[index]
        where = placement.where[index]
        variable_here = item.origin in sources
        bound = 1 if item.anti_group else count
        row = []
        for host in hosts:
            here = where.get(host, 0) if host in sources or variable_here else 0
            if host in sources:
                ok = here or problem.allowed(item, host)
            else:
                ok = here or host == item.origin or (open_[host] and problem.allowed(item, host))
            if ok:
                var = lp.var(0, max(bound, here), here)
                cells[(index, host)] = var
                row.append((var, 1))
        lp.constrain(row, count, count)

    weight = sum(items[i].cost * c for i, c in units.items()) + 1
    objective: list[tuple[int, int]] = []
    by_host: dict[str, list[tuple[int, int]]] = {h: [] for h in hosts}
    for (index, host), var in cells.items():
        by_host[host].append((index, var))
    kept: list[tuple[int, int]] = []  # (source kept?, its current value)
    for host in hosts:
        if host in sources:
            used = _host_rows(problem, placement, lp, host, by_host[host], units, weight, objective)
            if used is not None:
                kept.append(used)
        else:
            _destination_rows(problem, lp, host, by_host[host], loads[host], moving[host])
    for (index, host), var in cells.items():
        if host == items[index].origin:
            objective.append((var, items[index].cost))
    _anti_affinity(problem, placement, lp, hosts, moving, cells, units)
    _limits(problem, placement, lp, sources, cells, units, limits, totals)
    if limits.per_released is not None:
        _per_released(
            problem, placement, lp, (sources, cells, units, kept), limits.per_released, ratio_slack
        )
    lp.maximize(objective)
    variable = {h: [i for i, _ in m] for h, m in moving.items() if m}
    return Neighbourhood(lp, variable, units, cells, kept)


def _takes_foreign(problem: Problem, placement: Placement, host: str) -> bool:
    """A host whose own units are all home may receive (it is not a source)."""
    return all(
        placement.where[i].get(host, 0) == problem.items[i].count
        for i in problem.origin_items.get(host, ())
    )


def _destination_rows(problem, lp, host, cells, load, moving) -> None:
    """A host that keeps what it has (but the variable units): the rest must fit in the room."""
    spec = problem.hosts[host]
    items = problem.items
    for k in range(3):
        variable = sum(items[i].size[k] * n for i, n in moving)
        room = max(spec.capacity[k] - (load[k] - variable), variable)
        row = [(var, items[i].size[k]) for i, var in cells if items[i].size[k]]
        lp.constrain(row, upper=room)


def _host_rows(problem, placement, lp, host, cells, units, weight, objective):
    """The source's rows; returns (its kept boolean, current value), None if always kept."""
    spec = problem.hosts[host]
    items = problem.items
    here = [(index, var, placement.where[index].get(host, 0)) for index, var in cells]
    current = [sum(items[i].size[k] * n for i, _, n in here) for k in range(3)]
    room = [max(spec.capacity[k] - spec.fixed[k], current[k]) for k in range(3)]
    used = kept = None
    if not spec.pinned:
        now = 1 if any(n for _, _, n in here) else 0
        used = lp.var(0, 1, now)
        kept = (used, now)
        objective.append((used, -weight))
        total = sum(units[i] for i, _, _ in here)
        lp.constrain([(var, 1) for _, var, _ in here] + [(used, -total)], upper=0)
    for k in range(3):
        row = [(var, items[i].size[k]) for i, var, _ in here if items[i].size[k]]
        if used is None:
            lp.constrain(row, upper=room[k])
        else:
            lp.constrain(row + [(used, -room[k])], upper=0)
    # A host is a source or a destination: units from elsewhere only if none of its own leave.
    foreign = [(var, 1) for i, var, _ in here if items[i].origin != host]
    if not foreign:
        return kept
    own_items = problem.origin_items.get(host, ())
    if any(units.get(i, 0) < items[i].count for i in own_items):
        lp.constrain(foreign, upper=0)  # some of its own sit outside: it stays a source
        return kept
    if not own_items:
        return kept
    own_total = sum(items[i].count for i in own_items)
    left = any(placement.where[i].get(host, 0) < items[i].count for i in own_items)
    leaving = lp.var(0, 1, 1 if left else 0)
    own_cells = [(var, 1) for i, var, _ in here if items[i].origin == host]
    lp.constrain(own_cells + [(leaving, own_total)], lower=own_total)
    big = sum(units[i] for i, _, _ in here if items[i].origin != host)
    lp.constrain(foreign + [(leaving, big)], upper=big)
    return kept


RATIO_SCALE = 1000


def ratio_slack(ratio: float, released: int, migrations: int) -> int:
    """How far a plan is under ``ratio`` migrations per released host, scaled to integers."""
    return int(ratio * RATIO_SCALE) * released - RATIO_SCALE * migrations


def _per_released(problem, placement, lp, parts, ratio: float, slack: int) -> None:
    """Migrations added ≤ ratio × hosts released added + slack, both counted against the
    current placement (scaled to integers: D × migrations ≤ N × released, N / D ≤ ratio)."""
    sources, cells, units, kept = parts
    items = problem.items
    scaled = int(ratio * RATIO_SCALE)
    now_migrations = full_migrations = 0
    row = []
    for index, count in units.items():
        item = items[index]
        home = placement.where[index].get(item.origin, 0) if item.origin in sources else 0
        now_migrations += (count - home) * item.migrations
        full_migrations += count * item.migrations
        var = cells.get((index, item.origin))
        if var is not None:
            row.append((var, -RATIO_SCALE * item.migrations))
    row += [(var, scaled) for var, _ in kept]
    kept_now = sum(now for _, now in kept)
    upper = scaled * kept_now - RATIO_SCALE * (full_migrations - now_migrations) + max(0, slack)
    lp.constrain(row, upper=upper)


def _anti_affinity(problem, placement, lp, hosts, moving, cells, units) -> None:
    for members in problem.anti_groups.values():
        present = [i for i in members if i in units]
        if not present:
            continue
        for host in hosts:
            row = [(cells[(i, host)], 1) for i in present if (i, host) in cells]
            if not row:
                continue
            now = sum(placement.where[i].get(host, 0) for i in members)
            variable = sum(n for i, n in moving[host] if i in members)
            lp.constrain(row, upper=max(1, now) - (now - variable))


def _limits(problem, placement, lp, sources, cells, units, limits, totals) -> None:
    """Caps on the whole plan: what moves outside the neighbourhood is a constant.

    Moved units of an item here = its units here - those at its origin (a variable when the
    origin is one of these hosts); bytes are counted in MB (sizes are whole MB).
    """
    if limits.migrations is None and limits.cost_bytes is None:
        return
    items = problem.items
    migrations, moved_mb = totals
    now_migrations = now_mb = full_migrations = full_mb = 0
    migration_row, mb_row = [], []
    for index, count in units.items():
        item = items[index]
        home = placement.where[index].get(item.origin, 0) if item.origin in sources else 0
        unit_mb = item.size[1] if item.kind == "live" else item.size[2] * 1024
        now_migrations += (count - home) * item.migrations
        now_mb += (count - home) * unit_mb
        full_migrations += count * item.migrations
        full_mb += count * unit_mb
        var = cells.get((index, item.origin))
        if var is not None:
            migration_row.append((var, -item.migrations))
            mb_row.append((var, -unit_mb))
    if limits.migrations is not None:
        outside = migrations - now_migrations
        lp.constrain(migration_row, upper=limits.migrations - outside - full_migrations)
    if limits.cost_bytes is not None:
        outside = moved_mb - now_mb
        lp.constrain(mb_row, upper=limits.cost_bytes // 2**20 - outside - full_mb)
