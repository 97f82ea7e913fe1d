"""The most hosts a small cluster can release, by trying every placement (for tests only).

Independent of the solver's code: it reads the model's raw fields. Rules: an instance moves
if it is active/paused (live) or stopped (cold), not excluded, not locked and idle; it goes to
an up, enabled host that held instances before, in its pinned zone, with room in vCPU,
memory and disk; a host that loses an instance takes none (each instance moves once); members
of an anti-affinity group never share a host they did not share before; affinity groups stay
together. Released: hosts that held instances and hold none. With ``per_released``, only
plans spending at most that many migrations per released host count.
"""

from __future__ import annotations

import itertools

from watcher_celery.model import ClusterModel

MOVABLE = {"active", "paused", "stopped"}


def optimum(model: ClusterModel, per_released: float | None = None) -> int:
    hosts = [n for n in model.nodes.values() if n.state == "up"]
    names = [n.hostname for n in hosts]
    instances = [i for i in model.instances.values() if i.host in names]
    busy = {i.host for i in instances}
    receivers = [n.hostname for n in hosts if n.status == "enabled" and n.hostname in busy]
    options = []
    for i in instances:
        if i.state in MOVABLE and not i.watcher_exclude and not i.locked and not i.task_state:
            zone_ok = [
                h
                for h in receivers
                if not i.pinned_az or model.nodes[h].availability_zone == i.pinned_az
            ]
            options.append(sorted(set(zone_ok) | {i.host}))
        else:
            options.append([i.host])
    groups = list(model.server_groups.values())
    best = 0
    for choice in itertools.product(*options):
        if _feasible(model, instances, choice, groups):
            released = len(busy - set(choice))
            moved = sum(1 for i, h in zip(instances, choice, strict=True) if h != i.host)
            if per_released is None or moved <= per_released * released:
                best = max(best, released)
    return best


def _feasible(model, instances, choice, groups) -> bool:
    load: dict[str, list[float]] = {}
    leaving, arriving = set(), set()
    for instance, host in zip(instances, choice, strict=True):
        room = load.setdefault(host, [0.0, 0.0, 0.0])
        room[0] += instance.vcpus
        room[1] += instance.memory
        room[2] += instance.disk
        if host != instance.host:
            leaving.add(instance.host)
            arriving.add(host)
    if leaving & arriving:
        return False
    for host, (vcpus, memory, disk) in load.items():
        node = model.nodes[host]
        if (
            vcpus > (node.vcpus - node.vcpu_reserved) * node.vcpu_ratio
            or memory > (node.memory - node.memory_mb_reserved) * node.memory_ratio
            or disk > (node.disk - node.disk_gb_reserved) * node.disk_ratio
        ):
            return False
    where = {i.uuid: h for i, h in zip(instances, choice, strict=True)}
    for group in groups:
        members = [m for m in group.members if m in where]
        ends = [where[m] for m in members]
        if group.policy.endswith("anti-affinity"):
            before = [model.instances[m].host for m in members]
            if len(set(ends)) < len(ends) and len(set(ends)) < len(set(before)):
                return False
        elif group.policy == "affinity" and any(
            where[m] != model.instances[m].host for m in members
        ):
            return False  # Nova moves no member of a hard affinity group
        elif len(set(ends)) > 1 and len({model.instances[m].host for m in members}) == 1:
            return False
    return True
