"""basic: empties exactly the nodes that can be emptied, never moves what releases nothing."""

from __future__ import annotations

from harness.plan_validator import problems
from strategies.basic import BASIC
from tests.unit.strategies.clusters import (
    assert_within_capacity,
    cluster,
    migrations,
    run,
    service_changes,
)
from watcher_celery.datasources.memory import MemoryDatasource
from watcher_celery.model import ServerGroup


def test_exactly_three_lightly_loaded_hosts_are_emptied_into_the_full_ones():
    # Given three hosts with one 4-vCPU instance each and three with 4 vCPUs free each
    model = cluster({"a": [4], "b": [4], "c": [4], "x": [8, 4], "y": [8, 4], "z": [12]})
    # When basic runs
    solution = run(BASIC, model)
    # Then a, b and c are emptied (the lower bound: 48 vCPUs need 3 hosts of 16) and disabled
    assert sorted(src for _, src, _ in migrations(solution)) == ["a", "b", "c"]
    assert sorted(dst for _, _, dst in migrations(solution)) == ["x", "y", "z"]
    assert sorted(service_changes(solution)) == [
        ("a", "disabled"),
        ("b", "disabled"),
        ("c", "disabled"),
    ]
    assert solution.indicators == {
        "compute_nodes_count": 6,
        "released_compute_nodes_count": 3,
        "instance_migrations_count": 3,
    }
    assert_within_capacity(model)
    assert [model.used(h).count for h in "abc"] == [0, 0, 0]


def test_a_host_that_cannot_be_emptied_keeps_all_its_instances():
    # Given a host with two 4-vCPU instances and room for only one elsewhere
    model = cluster({"a": [4, 4], "x": [12]})
    solution = run(BASIC, model)
    # Then nothing moves: half-emptying releases no host
    assert migrations(solution) == []
    assert solution.indicators["released_compute_nodes_count"] == 0


def test_excluded_and_unmovable_instances_pin_their_host():
    # Given a and b that cannot be emptied and x too big to fit anywhere
    model = cluster({"a": [2], "b": [2], "x": [15]})
    model.instances["a-vm0"].watcher_exclude = True
    model.instances["b-vm0"].state = "error"
    assert migrations(run(BASIC, model)) == []


def test_migration_attempts_stops_after_that_many_hosts_could_not_be_emptied():
    # Given a (one 9-vCPU instance, no 9-vCPU slot anywhere), then b (two 5s) that fit in c and x
    model = cluster({"a": [9], "b": [5, 5], "c": [11], "x": [11]})
    # With one unsuccessful node allowed, the walk stops after a
    assert migrations(run(BASIC, model, migration_attempts=1)) == []
    # Without a limit, b is emptied
    moved = migrations(run(BASIC, model))
    assert sorted((src, dst) for _, src, dst in moved) == [("b", "c"), ("b", "x")]


def test_lighter_nodes_are_emptied_first_and_cpu_breaks_ties():
    model = cluster({"a": [4], "b": [4], "x": [8]})
    metrics = MemoryDatasource({("uuid-a", "host_cpu_usage"): 90.0})
    metrics.set("uuid-b", "host_cpu_usage", 10.0)
    # a and b hold the same; b is less busy so it is emptied first; both fit into x (tightest)
    assert migrations(run(BASIC, model, metrics)) == [("b-vm0", "b", "x"), ("a-vm0", "a", "x")]


def test_disabled_hosts_are_emptied_but_never_receive():
    model = cluster({"a": [4], "d": [4], "x": [8]})
    model.nodes["d"].status = "disabled"
    solution = run(BASIC, model)
    assert all(dst != "d" for _, _, dst in migrations(solution))
    assert ("d", "disabled") not in service_changes(solution)
    assert model.used("d").count == 0


def test_anti_affinity_members_never_end_on_one_host():
    # Given a and b with one 4-vCPU instance each in an anti-affinity group, room on x and y
    model = cluster({"a": [4], "b": [4], "x": [8], "y": [8]})
    model.add_server_group(ServerGroup("g", "spread", "anti-affinity", ("a-vm0", "b-vm0")))
    # When basic empties a and b
    solution = run(BASIC, model)
    # Then they land on two different hosts (x alone would have taken both)
    moved = {uuid: dst for uuid, _, dst in migrations(solution)}
    assert set(moved) == {"a-vm0", "b-vm0"} and moved["a-vm0"] != moved["b-vm0"]
    assert problems(cluster_with_group(), solution) == []


def cluster_with_group():
    model = cluster({"a": [4], "b": [4], "x": [8], "y": [8]})
    model.add_server_group(ServerGroup("g", "spread", "anti-affinity", ("a-vm0", "b-vm0")))
    return model


def test_an_affinity_group_keeps_its_host():
    # Given a's two instances in an affinity group and room for them on x
    model = cluster({"a": [2, 2], "x": [4]})
    model.add_server_group(ServerGroup("g", "pair", "affinity", ("a-vm0", "a-vm1")))
    # When basic runs, Nova would refuse to move either alone: a stays, x is emptied into a
    solution = run(BASIC, model)
    assert migrations(solution) == [("x-vm0", "x", "a")]
    assert service_changes(solution) == [("x", "disabled")]
