"""node_resource_consolidation: releases nodes by allocation; auto and specify modes."""

from __future__ import annotations

from strategies.node_resource_consolidation import NODE_RESOURCE_CONSOLIDATION as NRC
from tests.unit.strategies.clusters import cluster, migrations, run, service_changes
from watcher_celery.decision_engine.parameters import validate
from watcher_celery.plugins import StrategyContext


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
