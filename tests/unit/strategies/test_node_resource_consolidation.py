"""node_resource_consolidation: releases nodes by allocation; auto and specify modes."""

from __future__ import annotations

from strategies.node_resource_consolidation import NODE_RESOURCE_CONSOLIDATION as NRC
from tests.unit.strategies.clusters import cluster, migrations, run, service_changes
from watcher_celery.plugins import StrategyContext
from watcher_celery.plugins.parameters import validate


def test_specify_sends_each_server_to_a_more_used_node_and_releases_the_sources():
    model = cluster({"a": [2], "b": [4], "x": [10], "y": [12]})
    solution = run(NRC, model, host_choice="specify")
    moved = migrations(solution)
    assert sorted(src for _, src, _ in moved) == ["a", "b"]
    assert all(dst in {"x", "y"} for _, _, dst in moved)
    assert service_changes(solution) == []
    assert solution.indicators == {
        "compute_nodes_count": 4,
        "released_compute_nodes_count": 2,
        "instance_migrations_count": 2,
    }


def test_auto_disables_free_and_source_nodes_migrates_without_destination_then_re_enables():
    model = cluster({"free": [], "a": [2], "x": [12]})
    solution = run(NRC, model)
    assert migrations(solution) == [("a-vm0", "a", None)]
    assert service_changes(solution) == [
        ("free", "disabled"),
        ("a", "disabled"),
        ("free", "enabled"),
        ("a", "enabled"),
    ]


def test_a_node_that_received_servers_is_not_emptied_afterwards():
    # Given b (6 used), a (8) and x (12): b fits into a, which then holds 14
    model = cluster({"a": [4, 4], "b": [6], "x": [12]})
    solution = run(NRC, model, host_choice="specify")
    # Then only b is released, and a's servers do not move on
    assert migrations(solution) == [("b-vm0", "b", "a")]
    assert solution.indicators["released_compute_nodes_count"] == 1
    assert model.used("a").vcpus == 14


def test_a_node_whose_servers_do_not_all_fit_moves_nothing():
    model = cluster({"a": [8, 8], "x": [12]})
    assert migrations(run(NRC, model, host_choice="specify")) == []


def test_a_node_whose_emptying_failed_before_is_kept_as_a_destination():
    # Given a continuous audit in which migrating off "a" failed in an earlier plan
    model = cluster({"free": [], "a": [2], "b": [4], "x": [10]})
    context = StrategyContext(
        parameters=validate(NRC.parameters_schema, {}),
        model=model,
        audit_type="CONTINUOUS",
        failed_migration_sources=frozenset({"a", "free"}),
    )
    # When the strategy runs again (auto mode)
    solution = NRC.execute(context)
    # Then only b is emptied; "a" and the empty "free" stay destinations, never disabled
    assert [src for _, src, _ in migrations(solution)] == ["b"]
    assert service_changes(solution) == [("b", "disabled"), ("b", "enabled")]
    assert solution.indicators["released_compute_nodes_count"] == 1


def test_disk_decides_too_a_node_whose_servers_lack_disk_elsewhere_stays():
    # Given x with vCPUs and memory to spare but 15 GB of disk left, a's server needs 10 GB,
    # b's two need 20 GB
    model = cluster({"a": [1], "b": [1, 1], "x": [8]})
    model.nodes["x"].disk = 10 + 15  # its own server takes 10 GB
    solution = run(NRC, model, host_choice="specify")
    # Then only a is emptied (into x); b would over-allocate x's disk
    assert migrations(solution) == [("a-vm0", "a", "x")]


def test_auto_keeps_enabled_nodes_with_room_for_everything_sent_without_destination():
    # Given free disk for one more server on x only
    model = cluster({"a": [1], "b": [1], "x": [8]})
    model.nodes["x"].disk = 10 + 10
    solution = run(NRC, model)
    # Then one node is emptied, the other is not disabled, and x can hold what is sent
    assert len(migrations(solution)) == 1
    disabled = [h for h, s in service_changes(solution) if s == "disabled"]
    assert len(disabled) == 1


def test_with_nothing_to_move_idle_nodes_are_left_alone():
    # Given two empty nodes and a full one whose servers fit nowhere else
    model = cluster({"free1": [], "free2": [], "x": [16]})
    model.nodes["free1"].vcpus = model.nodes["free2"].vcpus = 4
    # Then auto mode plans nothing at all: no disable / re-enable of the idle nodes
    assert run(NRC, model).actions == []
