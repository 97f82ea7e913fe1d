"""An independent check that a plan can be carried out on the cluster it was made for.

Written apart from ``strategies.feasibility`` on purpose (it reads the nodes' raw fields and
does its own placement search), so the two can disagree. It replays the solution's actions in
order on its own copy of the cluster:

* ``change_nova_service_state`` sets a host's status;
* a migration must name the instance's current host as source, that host must be up (Nova
  cannot migrate off a down host), the instance must be allowed to move (not excluded; live
  for active/paused, cold for active/stopped) and, with a destination, the destination must be
  up, enabled at that point of the plan, in the instance's pinned zone and
  have room in vCPU, memory and disk (reserved amounts and allocation ratios applied);
* migrations without a destination are collected with the hosts enabled when they run; at the
  end an exact search (backtracking, small clusters) must find room for all of them at once;
* server groups (Nova's filters at each migration): a member of an anti-affinity group (soft or
  not) never goes to a host that holds another member, a member of an ``affinity`` group only to
  a host that does; at the end no two anti-affinity members that were apart share a host and the
  members of a soft-affinity group that shared a host still do;
* ``volume_migrate`` to a pool must fit the pool's free capacity; ``change_node_power_state``
  must not power off a node hosting instances.

:func:`problems` returns a list of human-readable findings; an empty list means feasible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from watcher_celery.model import ClusterModel

LIVE = {"active", "paused"}
COLD = {"active", "stopped"}  # Nova cold-migrates both


@dataclass
class _Host:
    status: str
    up: bool
    zone: str | None
    room: list[float]  # vcpu, MB, GB left


@dataclass
class _Replay:
    hosts: dict[str, _Host]
    where: dict[str, str | None]
    sizes: dict[str, tuple[int, int, int]]
    pinned: dict[str, str | None]
    undirected: list[tuple[str, set[str]]] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    groups: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # uuid -> policy, all


def _group_hosts(replay: _Replay, uuid: str) -> tuple[str | None, set[str]]:
    """The instance's group policy and the hosts its other members are on now."""
    policy, members = replay.groups.get(uuid, (None, []))
    return policy, {replay.where[m] for m in members if m != uuid and replay.where.get(m)}


def _hosts(model: ClusterModel) -> dict[str, _Host]:
    hosts = {}
    for name, n in model.nodes.items():
        room = [
            (n.vcpus - n.vcpu_reserved) * n.vcpu_ratio,
            (n.memory - n.memory_mb_reserved) * n.memory_ratio,
            (n.disk - n.disk_gb_reserved) * n.disk_ratio,
        ]
        hosts[name] = _Host(n.status, n.state == "up", n.availability_zone, room)
    for i in model.instances.values():
        if i.host in hosts:
            room = hosts[i.host].room
            room[0] -= i.vcpus
            room[1] -= i.memory
            room[2] -= i.disk
    return hosts


def _take(host: _Host, size, sign: int = 1) -> None:
    for k in range(3):
        host.room[k] -= sign * size[k]


def _fits(host: _Host, size) -> bool:
    return all(host.room[k] + 1e-9 >= size[k] for k in range(3))


def _migrate(replay: _Replay, model: ClusterModel, params: dict) -> None:
    uuid = params["resource_id"]
    instance = model.instances.get(uuid)
    if instance is None:
        replay.found.append(f"migration of unknown instance {uuid}")
        return
    if instance.watcher_exclude:
        replay.found.append(f"excluded instance {uuid} is moved")
    kind = params.get("migration_type")
    allowed = LIVE if kind == "live" else COLD if kind == "cold" else set()
    if instance.state not in allowed:
        replay.found.append(f"{kind} migration of {instance.state} instance {uuid}")
    source = replay.where[uuid]
    if params.get("source_node") != source:
        replay.found.append(f"{uuid} is on {source}, not on {params.get('source_node')}")
        return
    size = replay.sizes[uuid]
    if source in replay.hosts and not replay.hosts[source].up:
        replay.found.append(f"{uuid} migrated off {source}, which is down (only evacuation works)")
    if source in replay.hosts:
        _take(replay.hosts[source], size, -1)
    destination = params.get("destination_node")
    if destination is None:
        policy, others = _group_hosts(replay, uuid)
        candidates = {
            name
            for name, h in replay.hosts.items()
            if name != source
            and h.up
            and h.status == "enabled"
            and _zone_ok(replay, uuid, h)
            and not (policy and policy.endswith("anti-affinity") and name in others)
            and not (policy == "affinity" and name not in others)
        }
        replay.undirected.append((uuid, candidates))
        replay.where[uuid] = None
        return
    host = replay.hosts.get(destination)
    if host is None or not host.up or host.status != "enabled" or destination == source:
        replay.found.append(f"{uuid} sent to unavailable host {destination}")
    elif not _zone_ok(replay, uuid, host):
        replay.found.append(f"{uuid} pinned to {replay.pinned[uuid]} sent to zone {host.zone}")
    elif not _fits(host, size):
        replay.found.append(f"{destination} has no room for {uuid} {size}: {host.room}")
    else:
        policy, others = _group_hosts(replay, uuid)
        if policy and policy.endswith("anti-affinity") and destination in others:
            replay.found.append(f"{uuid} sent to {destination}, where its {policy} group is")
        elif policy == "affinity" and destination not in others:
            replay.found.append(f"{uuid} sent away from its affinity group to {destination}")
    if host is not None:
        _take(host, size)
    replay.where[uuid] = destination


def _zone_ok(replay: _Replay, uuid: str, host: _Host) -> bool:
    pinned = replay.pinned[uuid]
    return not pinned or host.zone == pinned


def _place_all(replay: _Replay, budget: int = 200_000) -> bool | None:
    """Exact: can every undirected instance be placed at once? None if the search gave up."""
    items = sorted(replay.undirected, key=lambda p: replay.sizes[p[0]], reverse=True)
    steps = [0]
    # Two hosts with the same room that every instance may use alike are interchangeable.
    role = {name: tuple(name in candidates for _, candidates in items) for name in replay.hosts}

    def search(index: int) -> bool | None:
        if index == len(items):
            return True
        steps[0] += 1
        if steps[0] > budget:
            return None
        uuid, candidates = items[index]
        size = replay.sizes[uuid]
        tried = set()
        for name in sorted(candidates):
            host = replay.hosts[name]
            signature = (tuple(host.room), role[name])
            if signature in tried or not _fits(host, size):
                continue
            tried.add(signature)
            _take(host, size)
            outcome = search(index + 1)
            _take(host, size, -1)
            if outcome is not False:
                return outcome
        return False

    return search(0)


def _check_groups_at_end(replay: _Replay, model: ClusterModel) -> None:
    for group in model.server_groups.values():
        members = [m for m in group.members if m in model.instances]
        before = [model.instances[m].host for m in members]
        after = [replay.where[m] for m in members if replay.where[m] is not None]
        if group.policy.endswith("anti-affinity"):
            if len(set(after)) < len(after) and len(set(before)) == len(before):
                replay.found.append(f"{group.policy} group {group.uuid} ends sharing a host")
        elif len(set(before)) == 1 and len(set(after)) > 1:
            replay.found.append(f"{group.policy} group {group.uuid} ends split")


def problems(model: ClusterModel, solution) -> list[str]:
    """Findings about ``solution`` on ``model`` (the cluster as it was before the strategy)."""
    replay = _Replay(
        hosts=_hosts(model),
        where={u: i.host for u, i in model.instances.items()},
        sizes={u: (i.vcpus, i.memory, i.disk) for u, i in model.instances.items()},
        pinned={u: i.pinned_az for u, i in model.instances.items()},
    )
    for group in model.server_groups.values():
        members = [m for m in group.members if m in model.instances]
        for member in members:
            replay.groups[member] = (group.policy, members)
    pools = {n: p.free_capacity_gb for n, p in model.pools.items()}
    for action in solution.actions:
        params = action.input_parameters
        if action.action_type == "change_nova_service_state":
            host = replay.hosts.get(params["resource_name"])
            if host is not None:
                host.status = params["state"]
        elif action.action_type == "migrate":
            _migrate(replay, model, params)
        elif action.action_type == "volume_migrate" and params.get("destination_node"):
            volume = model.volumes[params["resource_id"]]
            pool = params["destination_node"]
            if pool not in pools or pools[pool] < volume.size:
                replay.found.append(f"pool {pool} has no room for volume {volume.uuid}")
            else:
                pools[pool] -= volume.size
                if volume.pool in pools:
                    pools[volume.pool] += volume.size
        elif action.action_type == "change_node_power_state" and params["state"] == "off":
            hosted = [
                u
                for u, h in replay.where.items()
                if h is not None and h == params.get("resource_name")
            ]
            if hosted:
                replay.found.append(f"{params.get('resource_name')} powered off with instances")
    _check_groups_at_end(replay, model)
    if replay.undirected:
        placed = _place_all(replay)
        if placed is None:
            replay.found.append("undecided: the exact placement search gave up")
        elif not placed:
            count = len(replay.undirected)
            replay.found.append(f"no placement exists for the {count} undirected instances")
    return replay.found
