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
    model = cluster({"m": [8, 8], "b": [4]})
    solution = run(HM, model, maintenance_node="m", backup_node="b")
    assert {dst for _, _, dst in migrations(solution)} == {None}


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
