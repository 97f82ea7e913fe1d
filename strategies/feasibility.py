"""The one feasibility rule every moving strategy follows (Nova's scheduler filters, offline).

A destination can take an instance when it is up and enabled, is in the instance's pinned
availability zone (if any), is not the instance's host, and has room for the whole flavor in
vCPU, memory *and* disk after allocation ratios and reserved amounts (``ComputeNode``'s
capacities minus what the model already places there). A plan that sends instances without a
destination (Nova's scheduler picks) is proposed only when a placement of *all* of them exists
on the hosts left to the scheduler: :func:`scheduler_placement` finds one (first-fit
decreasing, tightest host first) and returns it as the witness.

Server groups, where the model knows them, are Nova's group filters: a member of an
``anti-affinity`` group never joins a host holding another member (the soft policy is kept as
the hard one), and a member of an ``affinity`` group does not move at all (:func:`may_move`):
Nova's filter accepts only hosts that already hold a member, and the one they share is the
source. Strategies that place several instances before changing the model pass the places
they have chosen as ``planned`` (instance uuid -> host).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from strategies.common import movable
from watcher_celery.model import ClusterModel, ComputeNode, Instance

Free = tuple[float, float, float]
AFFINITY = frozenset({"affinity", "soft-affinity"})
ANTI_AFFINITY = frozenset({"anti-affinity", "soft-anti-affinity"})


def zone_allows(node: ComputeNode, instance: Instance) -> bool:
    """An instance created in a zone stays in it; an unpinned one may go anywhere."""
    return not instance.pinned_az or node.availability_zone == instance.pinned_az


def may_receive(node: ComputeNode, instance: Instance) -> bool:
    """Everything but capacity: up, enabled, in the instance's zone, not its current host."""
    return node.available and node.hostname != instance.host and zone_allows(node, instance)


def held_by_group(model: ClusterModel, instance: Instance) -> bool:
    """A member of an affinity group stays with the others (moving one alone splits them)."""
    group = model.group_of(instance.uuid)
    return group is not None and group.policy in AFFINITY


def may_move(model: ClusterModel, instance: Instance) -> bool:
    """Not excluded, in a state Nova migrates, and not held by an affinity group."""
    return movable(instance) and not held_by_group(model, instance)


def in_group(model: ClusterModel, instance: Instance) -> bool:
    return model.group_of(instance.uuid) is not None


def group_allows(
    model: ClusterModel,
    instance: Instance,
    hostname: str,
    planned: Mapping[str, str] | None = None,
) -> bool:
    """No other member of the instance's anti-affinity group is (or is planned) on ``hostname``."""
    group = model.group_of(instance.uuid)
    if group is None or group.policy not in ANTI_AFFINITY:
        return True
    for member in group.members:
        if member == instance.uuid:
            continue
        where = planned.get(member) if planned else None
        if where is None:
            other = model.instances.get(member)
            where = other.host if other is not None else None
        if where == hostname:
            return False
    return True


def room_for(free: Free, instance: Instance) -> bool:
    return instance.vcpus <= free[0] and instance.memory <= free[1] and instance.disk <= free[2]


def can_move(model: ClusterModel, instance: Instance, hostname: str) -> bool:
    """True when ``hostname`` may receive ``instance`` now, as the model stands."""
    node = model.nodes.get(hostname)
    return (
        node is not None
        and may_receive(node, instance)
        and room_for(model.free(hostname), instance)
        and group_allows(model, instance, hostname)
    )


def accepts(
    model: ClusterModel, instance: Instance, planned: Mapping[str, str] | None = None
) -> Callable[[str], bool]:
    """A per-host test of everything but capacity, for packers that track capacity themselves."""
    nodes = model.nodes
    grouped = in_group(model, instance)

    def test(hostname: str) -> bool:
        return may_receive(nodes[hostname], instance) and (
            not grouped or group_allows(model, instance, hostname, planned)
        )

    return test


def needs_test(model: ClusterModel, instance: Instance) -> bool:
    """Whether a packer must ask :func:`accepts` (pinned to a zone or in a server group)."""
    return bool(instance.pinned_az) or in_group(model, instance)


def scheduler_placement(
    model: ClusterModel, instances: Iterable[Instance], hosts: Iterable[str]
) -> dict[str, str] | None:
    """Where each instance could land among ``hosts`` (as the model stands), or None.

    ``hosts`` are those the scheduler may still choose (enabled and not being emptied).
    Instances are placed largest first, each on the host with the least free vCPUs that
    fits; the result proves the scheduler is not asked for the impossible.
    """
    free = {h: list(model.free(h)) for h in hosts if h in model.nodes}
    placement: dict[str, str] = {}
    ordered = sorted(instances, key=lambda i: (i.vcpus, i.memory, i.disk, i.uuid), reverse=True)
    for instance in ordered:
        best = None
        accept = accepts(model, instance, placement)
        for hostname, room in free.items():
            if not accept(hostname):
                continue
            if room_for(room, instance) and (best is None or room[0] < free[best][0]):
                best = hostname
        if best is None:
            return None
        room = free[best]
        room[0] -= instance.vcpus
        room[1] -= instance.memory
        room[2] -= instance.disk
        placement[instance.uuid] = best
    return placement
