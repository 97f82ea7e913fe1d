"""The consolidation problem as the solver sees it: hosts, movable items, fixed load, rules.

Built once from the cluster model. Instances that are alike (same origin host, flavor size,
migration kind and pinned zone, in no server group) form one *item* with a count, so a model
holds one integer variable per item and host instead of one boolean per instance: at 20
instances a host this divides the variables by about three. A ``soft-affinity`` group whose
members share a host and may all move is one item of one unit (the whole group moves together);
a member of an ``affinity`` group does not move (Nova's filter accepts only hosts already
holding a member, and the one they share is the source); a member of an ``anti-affinity``
group (soft or not) is an item of its own, so the group's rule can be stated.

An instance does not move when it is excluded by the audit scope, locked, busy (a Nova task
is running), not in a state Nova migrates (live: active/paused; cold: stopped), stopped while
``live_only`` is set, on a host that is down, in an ``affinity`` group, or in a
``soft-affinity`` group that cannot move whole.
Its load is *fixed* on its host, and that host can never be released.

Hosts that are empty before the plan do not receive (filling one to empty another releases
nothing), so the hosts a plan empties are the hosts it releases.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from strategies.common import migration_type
from watcher_celery.model import ClusterModel, Instance

Size = tuple[int, int, int]  # vCPUs, MB, GB
# A migration costs what it copies (MB) plus this much for starting and switching over, so
# that among plans copying about as much, the one with fewer migrations wins.
MIGRATION_OVERHEAD_MB = 256


@dataclass(slots=True)
class Host:
    name: str
    zone: str | None
    capacity: Size  # after reserved amounts and allocation ratios (floored: sizes are whole)
    receives: bool  # up, enabled and holding instances: may take more
    fixed: list[int] = field(default_factory=lambda: [0, 0, 0])  # load of unmovable instances
    pinned: bool = False  # holds an unmovable instance: never released
    initially_empty: bool = True


@dataclass(slots=True)
class Item:
    """``units`` alike units on ``origin``; each unit is one instance or one affinity group."""

    index: int
    origin: str
    size: Size  # of one unit
    kind: str  # live | cold
    zone: str | None  # pinned availability zone
    units: list[tuple[str, ...]]  # instance uuids of each unit
    cost: int  # MB-equivalent to move one unit
    anti_group: str | None = None
    forbidden: frozenset[str] = frozenset()  # hosts of the anti-affinity group's fixed members

    @property
    def count(self) -> int:
        return len(self.units)

    @property
    def migrations(self) -> int:
        """Migrations to move one unit."""
        return len(self.units[0])


@dataclass
class Problem:
    hosts: dict[str, Host]
    items: list[Item]
    anti_groups: dict[str, list[int]]  # group uuid -> item indexes
    unmovable: dict[str, str]  # instance uuid -> reason
    origin_items: dict[str, list[int]] = field(default_factory=dict)  # host -> item indexes
    _scarcest: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for item in self.items:
            self.origin_items.setdefault(item.origin, []).append(item.index)

    def allowed(self, item: Item, hostname: str) -> bool:
        """Where a unit of ``item`` may be: its origin, or a receiving host in its zone."""
        if hostname == item.origin:
            return True
        host = self.hosts[hostname]
        return (
            host.receives
            and (item.zone is None or host.zone == item.zone)
            and hostname not in item.forbidden
        )

    def scarcest(self) -> int:
        """The resource (0 vCPU, 1 memory, 2 disk) whose load takes the largest share of the
        capacity of the hosts holding instances: the one that decides how many can be kept."""
        if self._scarcest is None:
            load, capacity = [0, 0, 0], [0, 0, 0]
            for item in self.items:
                for k in range(3):
                    load[k] += item.size[k] * item.count
            for host in self.hosts.values():
                if not host.initially_empty:
                    for k in range(3):
                        load[k] += host.fixed[k]
                        capacity[k] += host.capacity[k]
            shares = [load[k] / capacity[k] if capacity[k] else 0.0 for k in range(3)]
            self._scarcest = max(range(3), key=shares.__getitem__)
        return self._scarcest

    def zones(self) -> dict[str | None, list[str]]:
        out: dict[str | None, list[str]] = defaultdict(list)
        for host in self.hosts.values():
            out[host.zone].append(host.name)
        return out


def unit_cost(kind: str, size: Size) -> int:
    """Memory to copy for a live migration, disk for a cold one, plus the fixed overhead."""
    copied = size[1] if kind == "live" else size[2] * 1024
    return int(copied) + MIGRATION_OVERHEAD_MB


def _why_fixed(instance: Instance, live_only: bool) -> str | None:
    if instance.watcher_exclude:
        return "excluded by the audit scope"
    if instance.locked:
        return "locked"
    if instance.task_state:
        return f"busy ({instance.task_state})"
    kind = migration_type(instance)
    if kind is None:
        return f"state {instance.state}"
    if live_only and kind != "live":
        return "stopped and live_only is set"
    return None


def build(model: ClusterModel, live_only: bool = False) -> Problem:
    """The problem for every host that is up; instances on down hosts are left alone."""
    hosts: dict[str, Host] = {}
    for node in model.nodes.values():
        if node.state != "up":
            continue
        capacity = (int(node.vcpu_capacity), int(node.memory_capacity), int(node.disk_capacity))
        hosts[node.hostname] = Host(
            node.hostname, node.availability_zone, capacity, node.status == "enabled"
        )
    unmovable: dict[str, str] = {}
    for uuid, instance in model.instances.items():
        if instance.host in hosts:
            reason = _why_fixed(instance, live_only)
            if reason is not None:
                unmovable[uuid] = reason
    grouped: dict[str, tuple[str, str]] = {}  # instance uuid -> (group uuid, policy)
    for group in model.server_groups.values():
        policy = group.policy.removeprefix("soft-")
        for member in group.members:
            grouped[member] = (group.uuid, policy)
    whole_groups = _movable_affinity_groups(model, hosts, grouped, unmovable)

    items: list[Item] = []
    alike: dict[tuple, Item] = {}
    anti_groups: dict[str, list[int]] = defaultdict(list)

    def new_item(instance: Instance, size: Size, units: list, anti: str | None = None) -> Item:
        kind = migration_type(instance) or "live"
        item = Item(
            len(items),
            instance.host,
            size,
            kind,
            instance.pinned_az,
            units,
            unit_cost(kind, size) + MIGRATION_OVERHEAD_MB * (len(units[0]) - 1),
            anti,
        )
        items.append(item)
        return item

    for instance in model.instances.values():
        if instance.host in hosts:
            hosts[instance.host].initially_empty = False
    for host in hosts.values():
        host.receives = host.receives and not host.initially_empty
    for uuid, instance in model.instances.items():
        host = hosts.get(instance.host)
        if host is None:
            continue
        size = (instance.vcpus, instance.memory, instance.disk)
        membership = grouped.get(uuid)
        if uuid in unmovable:
            host.pinned = True
            for k in range(3):
                host.fixed[k] += size[k]
        elif membership is None:
            key = (instance.host, size, migration_type(instance), instance.pinned_az)
            item = alike.get(key)
            if item is None:
                alike[key] = new_item(instance, size, [(uuid,)])
            else:
                item.units.append((uuid,))
        elif membership[1] == "anti-affinity":
            item = new_item(instance, size, [(uuid,)], membership[0])
            anti_groups[membership[0]].append(item.index)
        elif whole_groups.get(membership[0]) == uuid:  # the group's first member stands for it
            members = [model.instances[m] for m in model.server_groups[membership[0]].members]
            members = [m for m in members if m.host == instance.host]
            total = tuple(sum(getattr(m, a) for m in members) for a in ("vcpus", "memory", "disk"))
            new_item(instance, total, [tuple(m.uuid for m in members)])
    for group_uuid, indexes in anti_groups.items():
        fixed_on = frozenset(
            model.instances[m].host
            for m in model.server_groups[group_uuid].members
            if m in unmovable
        )
        for index in indexes:
            items[index].forbidden = fixed_on
    return Problem(hosts, items, dict(anti_groups), unmovable)


def _movable_affinity_groups(
    model: ClusterModel,
    hosts: dict[str, Host],
    grouped: dict[str, tuple[str, str]],
    unmovable: dict[str, str],
) -> dict[str, str]:
    """Soft-affinity groups that can move whole (group uuid -> the member standing for it).

    The members of the others, and of every hard ``affinity`` group, are marked unmovable:
    moving some of a group would split it, and Nova refuses to move a hard one's member.
    """
    whole: dict[str, str] = {}
    for group in model.server_groups.values():
        if group.policy.removeprefix("soft-") != "affinity":
            continue
        if group.policy == "affinity":
            for m in group.members:
                instance = model.instances.get(m)
                if instance is not None and instance.host in hosts and m not in unmovable:
                    unmovable[m] = "in an affinity group (Nova moves no member)"
            continue
        members = [model.instances[m] for m in group.members if m in model.instances]
        on = {m.host for m in members}
        kinds = {migration_type(m) for m in members}
        if (
            members
            and len(on) == 1
            and next(iter(on)) in hosts
            and len(kinds) == 1
            and not any(m.uuid in unmovable for m in members)
        ):
            whole[group.uuid] = members[0].uuid
        else:
            for m in members:
                if m.host in hosts and m.uuid not in unmovable:
                    unmovable[m.uuid] = "in an affinity group that cannot move whole"
    return whole
