"""Per-action estimates: live migrations copy memory, cold ones disk, at the set bandwidth."""

import pytest

from watcher_celery.forecast import InstanceSize, estimate

INSTANCES = {"i1": InstanceSize("i1", "a", vcpus=2, memory=4096, disk=20)}


def _migrate(kind):
    params = {"resource_id": "i1", "migration_type": kind, "source_node": "a"}
    return {"action_type": "migrate", "input_parameters": params}


def test_a_live_migration_moves_the_instance_memory():
    result = estimate(_migrate("live"), INSTANCES, bandwidth_mb=1024, overhead=3)
    assert (result.moves, result.moves_mb) == ("memory", 4096)
    assert result.seconds == pytest.approx(3 + 4)


def test_a_cold_migration_moves_the_instance_disk():
    result = estimate(_migrate("cold"), INSTANCES, bandwidth_mb=1024, overhead=3)
    assert (result.moves, result.moves_mb) == ("disk", 20 * 1024)
    assert result.seconds == pytest.approx(3 + 20)


def test_a_sleep_lasts_its_duration_and_other_actions_the_overhead():
    sleep = {"action_type": "sleep", "input_parameters": {"duration": 7}}
    service = {"action_type": "change_nova_service_state", "input_parameters": {}}
    assert estimate(sleep, INSTANCES, 100, 1).seconds == 8
    assert estimate(service, INSTANCES, 100, 1).seconds == 1
    assert estimate(service, INSTANCES, 100, 1).moves is None


def test_a_migration_of_an_unknown_instance_costs_the_overhead_only():
    action = {"action_type": "migrate", "input_parameters": {"resource_id": "zz"}}
    assert estimate(action, INSTANCES, 100, 2).seconds == 2
