"""The independent plan validator finds each kind of infeasible plan (so its silence means it)."""

from __future__ import annotations

from harness.plan_validator import problems
from strategies.common import add_migration, add_service_state
from tests.unit.strategies.clusters import cluster
from watcher_celery.model import ServerGroup
from watcher_celery.plugins import Solution


def _plan(model, moves, disable=()) -> Solution:
    solution = Solution()
    for hostname in disable:
        add_service_state(solution, model.nodes[hostname], "disabled", "test")
    for uuid, destination in moves:
        instance = model.instances[uuid]
        add_migration(solution, instance, instance.host, destination)
    return solution


def test_a_feasible_plan_has_no_finding():
    model = cluster({"a": [2], "b": []})
    assert problems(model, _plan(model, [("a-vm0", "b")])) == []


def test_disk_short_destination_is_found():
    model = cluster({"a": [2], "b": []})
    model.nodes["b"].disk = 5  # the instance needs 10 GB
    assert "no room" in problems(model, _plan(model, [("a-vm0", "b")]))[0]


def test_a_host_disabled_earlier_in_the_plan_cannot_receive():
    model = cluster({"a": [2], "b": []})
    assert "unavailable" in problems(model, _plan(model, [("a-vm0", "b")], disable=["b"]))[0]


def test_a_pinned_instance_sent_to_another_zone_is_found():
    model = cluster({"a": [2], "b": []})
    model.nodes["b"].availability_zone = "az2"
    model.instances["a-vm0"].pinned_az = "az1"
    assert "pinned" in problems(model, _plan(model, [("a-vm0", "b")]))[0]


def test_undirected_instances_the_hosts_left_cannot_hold_are_found():
    # Given 2 × 10 vCPUs sent to the scheduler and two hosts of 12 free vCPUs, one disabled
    model = cluster({"a": [10, 10], "b": [4], "c": [4]})
    plan = _plan(model, [("a-vm0", None), ("a-vm1", None)], disable=["c"])
    assert "no placement exists" in problems(model, plan)[0]
    # and with both hosts enabled, each takes one
    assert problems(model, _plan(model, [("a-vm0", None), ("a-vm1", None)])) == []


def test_a_migration_off_a_down_host_is_found():
    model = cluster({"a": [2], "b": []})
    model.nodes["a"].state = "down"
    assert "down" in problems(model, _plan(model, [("a-vm0", "b")]))[0]


def test_an_anti_affinity_member_sent_to_another_members_host_is_found():
    model = cluster({"a": [2], "b": [2], "c": []})
    model.add_server_group(ServerGroup("g", "spread", "soft-anti-affinity", ("a-vm0", "b-vm0")))
    found = problems(model, _plan(model, [("a-vm0", "b")]))
    assert "soft-anti-affinity" in found[0] and "ends sharing a host" in found[1]
    assert problems(model, _plan(model, [("a-vm0", "c")])) == []
    # nor may the scheduler be asked to put it there when b is the only other host
    model.nodes["c"].status = "disabled"
    assert "no placement exists" in problems(model, _plan(model, [("a-vm0", None)]))[0]


def test_an_affinity_member_moved_away_from_the_others_is_found():
    model = cluster({"a": [2, 2], "b": []})
    model.add_server_group(ServerGroup("g", "pair", "affinity", ("a-vm0", "a-vm1")))
    assert "away from its affinity group" in problems(model, _plan(model, [("a-vm0", "b")]))[0]


def test_a_soft_affinity_group_must_end_together():
    model = cluster({"a": [2, 2], "b": []})
    model.add_server_group(ServerGroup("g", "pair", "soft-affinity", ("a-vm0", "a-vm1")))
    assert "ends split" in problems(model, _plan(model, [("a-vm0", "b")]))[0]
    assert problems(model, _plan(model, [("a-vm0", "b"), ("a-vm1", "b")])) == []
