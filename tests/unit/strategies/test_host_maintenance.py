"""host_maintenance: disable the node and move its instances, to a backup when it fits."""

from __future__ import annotations

import pytest

from strategies.host_maintenance import HOST_MAINTENANCE as HM
from tests.unit.strategies.clusters import cluster, migrations, run, service_changes
from watcher_celery.errors import StrategyError


def test_instances_go_to_a_backup_that_has_room_and_is_enabled_first():
    model = cluster({"m": [2, 4], "b": [], "other": []})
    model.nodes["b"].status = "disabled"
    model.instances["m-vm1"].state = "stopped"
    solution = run(HM, model, maintenance_node="m", backup_node="b")
    assert service_changes(solution) == [("b", "enabled"), ("m", "disabled")]
    types = {
        a.input_parameters["resource_id"]: a.input_parameters["migration_type"]
        for a in solution.actions
        if a.action_type == "migrate"
    }
    assert types == {"m-vm0": "live", "m-vm1": "cold"}
    assert {dst for _, _, dst in migrations(solution)} == {"b"}


def test_without_room_on_the_backup_nova_chooses_destinations():
    # Given a backup short of 4 vCPUs, and another node with room for the rest
    model = cluster({"m": [8, 8], "b": [4], "c": [8]})
    solution = run(HM, model, maintenance_node="m", backup_node="b")
    # Then the scheduler places them (b and c together hold both)
    assert {dst for _, _, dst in migrations(solution)} == {None}


def test_nothing_is_sent_to_the_scheduler_when_the_other_nodes_cannot_hold_it_all():
    # Given two instances of 8 vCPUs and 12 vCPUs free elsewhere
    model = cluster({"m": [8, 8], "b": [4]})
    # Then the audit fails with the reason rather than planning migrations that cannot land
    with pytest.raises(StrategyError, match="cannot hold the instances of m"):
        run(HM, model, maintenance_node="m", backup_node="b")


def test_the_backup_must_have_disk_for_every_instance():
    # Given a backup with vCPUs and memory to spare but 15 GB of disk for 20 GB of instances
    model = cluster({"m": [1, 1], "b": [], "c": []})
    model.nodes["b"].disk = 15
    solution = run(HM, model, maintenance_node="m", backup_node="b")
    # Then the backup is not used; the scheduler (with c) is
    assert {dst for _, _, dst in migrations(solution)} == {None}


def test_errored_and_excluded_instances_stay():
    model = cluster({"m": [1, 1, 1], "b": []})
    model.instances["m-vm0"].state = "error"
    model.instances["m-vm1"].watcher_exclude = True
    solution = run(HM, model, maintenance_node="m", backup_node="b")
    assert migrations(solution) == [("m-vm2", "m", "b")]


def test_an_empty_node_is_only_disabled():
    model = cluster({"m": [], "b": []})
    solution = run(HM, model, maintenance_node="m")
    assert [a.action_type for a in solution.actions] == ["change_nova_service_state"]
    assert solution.actions[0].input_parameters["disabled_reason"] == "watcher_maintaining"


def test_with_both_migrations_disabled_active_instances_are_stopped():
    model = cluster({"m": [2, 2]})
    model.instances["m-vm1"].state = "stopped"
    solution = run(
        HM, model, maintenance_node="m", disable_live_migration=True, disable_cold_migration=True
    )
    assert [(a.action_type, a.input_parameters["resource_id"]) for a in solution.actions[1:]] == [
        ("stop", "m-vm0")
    ]


def test_an_unknown_node_fails_with_a_clear_message():
    with pytest.raises(StrategyError, match="'nope' is not in the audit scope"):
        run(HM, cluster({"m": []}), maintenance_node="nope")
