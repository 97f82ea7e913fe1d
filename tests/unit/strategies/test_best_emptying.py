"""best_emptying tries each resource as the deciding one, once per distinct resource."""

from __future__ import annotations

from strategies.consolidation import best_emptying, empty_nodes
from strategies.packing import Packer

from .clusters import cluster


class CountingPacker(Packer):
    """Counts the passes: each key's pass starts from a rekeyed copy."""

    passes: list[int] = []

    def rekeyed(self, key: int) -> Packer:
        CountingPacker.passes.append(key)
        return super().rekeyed(key)


def _plan(model, demand, keys):
    CountingPacker.passes = []
    free = {h: (*model.free(h), model.free(h)[2]) for h in model.nodes}  # disk twice
    packer = CountingPacker(free)
    order = sorted(model.nodes, key=lambda h: (model.used(h).vcpus, h))
    outcome = best_emptying(model, lambda _key: order, demand, packer, keys)
    return outcome, CountingPacker.passes


def _disk_twice(instance):
    return (instance.vcpus, instance.memory, instance.disk, instance.disk)


def _disk_twice_but_one(instance):
    return (*_disk_twice(instance)[:3], instance.disk + (instance.uuid == "c-vm1"))


def test_a_resource_equal_to_one_already_tried_is_not_tried_again():
    # Given a cluster whose fourth resource is its disk again, in free room and in demand
    model = cluster({"a": [2, 2], "b": [4], "c": [8, 4], "d": [1]})
    # When the plan is made with disk and its copy among the keys
    outcome, passes = _plan(model, _disk_twice, keys=[2, 3, 0])
    # Then the copy's pass is skipped, since on its own it plans what the disk's pass plans
    assert passes == [2, 0]

    def moves(keys):
        return [(i.uuid, s, d) for i, s, d in _plan(model, _disk_twice, keys)[0].moves]

    assert moves([3]) == moves([2])
    assert [(i.uuid, s, d) for i, s, d in outcome.moves] == moves([2, 0])
    assert outcome.released
    # And when one instance's demand differs in the copy, both passes run
    assert _plan(model, _disk_twice_but_one, keys=[2, 3, 0])[1] == [2, 3, 0]


class CountingPlacer(Packer):
    placed = 0

    def place(self, demand, exclude=None, accept=None):
        CountingPlacer.placed += 1
        return super().place(demand, exclude, accept)


def test_a_pass_that_can_no_longer_release_enough_nodes_stops_and_one_that_can_does_not():
    # Given eight lightly loaded hosts and two roomy ones, emptied lightest first
    model = cluster({**{f"h{k}": [1, 1] for k in range(8)}, "big1": [8], "big2": [8]})
    order = sorted(model.nodes, key=lambda h: (model.used(h).vcpus, h))
    free = {h: model.free(h) for h in model.nodes}

    def plan(to_beat):
        CountingPlacer.placed = 0
        outcome = empty_nodes(model, order, _demand, CountingPlacer(free), to_beat=to_beat)
        return outcome, CountingPlacer.placed

    full, placed = plan(0)
    # When the pass must release as many nodes as it can: it runs to the end, the same plan
    same, same_placed = plan(len(full.released))
    assert (same.released, same.moves, same_placed) == (full.released, full.moves, placed)
    # And when it must release more than it can, it stops as soon as that is certain
    short, short_placed = plan(len(full.released) + 1)
    assert len(short.released) < len(full.released) and short_placed < placed


def _demand(instance):
    return (instance.vcpus, instance.memory, instance.disk)


def test_the_key_tried_first_does_not_change_the_plan():
    # Given hosts where every key's pass releases 4 nodes with 6 migrations, disk's differently
    model = cluster({"a": [2, 2], "b": [4], "c": [8, 4], "d": [1], "e": [3, 1], "f": [6],
                     "g": [2, 1, 1]})  # fmt: skip
    free = {h: model.free(h) for h in model.nodes}
    order = sorted(model.nodes, key=lambda h: (model.used(h).vcpus, h))

    def plan(keys, first=None):
        outcome = best_emptying(model, lambda _k: order, _demand, Packer(free), keys, first)
        return outcome.released, [(i.uuid, s, d) for i, s, d in outcome.moves]

    assert plan([2]) != plan([1]) and len(plan([2])[0]) == len(plan([1])[0]) == 4
    # When each key is tried first, the others after it
    # Then the plan kept is always that of the key listed first among equally good ones
    assert all(plan([1, 0, 2], first) == plan([1]) for first in (None, 0, 1, 2))
    assert all(plan([2, 1, 0], first) == plan([2]) for first in (None, 0, 1, 2))
