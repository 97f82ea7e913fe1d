"""The one feasibility rule every moving strategy follows (Nova's scheduler filters, offline).

A destination can take an instance when it is up and enabled, is in the instance's pinned
availability zone (if any), is not the instance's host, and has room for the whole flavor in
vCPU, memory *and* disk after allocation ratios and reserved amounts (``ComputeNode``'s
capacities minus what the model already places there). A plan that sends instances without a
destination (Nova's scheduler picks) is proposed only when a placement of *all* of them exists
on the hosts left to the scheduler: :func:`scheduler_placement` finds one (first-fit
decreasing, tightest host first) and returns it as the witness.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from watcher_celery.model import ClusterModel, ComputeNode, Instance

Free = tuple[float, float, float]


def zone_allows(node: ComputeNode, instance: Instance) -> bool:
    """An instance created in a zone stays in it; an unpinned one may go anywhere."""
    return not instance.pinned_az or node.availability_zone == instance.pinned_az


def may_receive(node: ComputeNode, instance: Instance) -> bool:
    """Everything but capacity: up, enabled, in the instance's zone, not its current host."""
    return node.available and node.hostname != instance.host and zone_allows(node, instance)


def room_for(free: Free, instance: Instance) -> bool:
    return instance.vcpus <= free[0] and instance.memory <= free[1] and instance.disk <= free[2]


def can_move(model: ClusterModel, instance: Instance, hostname: str) -> bool:
    """True when ``hostname`` may receive ``instance`` now, as the model stands."""
    node = model.nodes.get(hostname)
    return (
        node is not None
        and may_receive(node, instance)
        and room_for(model.free(hostname), instance)
    )


def accepts(model: ClusterModel, instance: Instance) -> Callable[[str], bool]:
    """A per-host test of everything but capacity, for packers that track capacity themselves."""
    nodes = model.nodes

    def test(hostname: str) -> bool:
        return may_receive(nodes[hostname], instance)

    return test


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
        for hostname, room in free.items():
            if not may_receive(model.nodes[hostname], instance):
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
