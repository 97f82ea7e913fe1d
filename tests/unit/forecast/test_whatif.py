"""The cluster after a plan: migrations move usage, service and power changes mark hosts."""

from watcher_celery.forecast import HostLoad, InstanceSize, predict


def _hosts():
    return [
        HostLoad("a", vcpus_used=4, vcpus_capacity=16, memory_used=4096, memory_capacity=8192,
                 disk_used=40, disk_capacity=100, instances=2),
        HostLoad("b", vcpus_capacity=16, memory_capacity=8192, disk_capacity=100),
    ]  # fmt: skip


INSTANCES = {
    "i1": InstanceSize("i1", "a", vcpus=2, memory=2048, disk=20),
    "i2": InstanceSize("i2", "a", vcpus=2, memory=2048, disk=20),
}


def _migrate(uuid, destination="b", source="a"):
    params = {"resource_id": uuid, "migration_type": "live", "source_node": source}
    if destination is not None:
        params["destination_node"] = destination
    return {"action_type": "migrate", "input_parameters": params}


def test_a_migration_moves_its_instance_usage_from_source_to_destination():
    # Given two hosts, when i1 moves from a to b
    result = predict(_hosts(), INSTANCES, [_migrate("i1")])
    # Then a carries only i2 and b carries i1
    a, b = result.hosts["a"], result.hosts["b"]
    assert (a.vcpus_used, a.memory_used, a.disk_used, a.instances) == (2, 2048, 20, 1)
    assert (b.vcpus_used, b.memory_used, b.disk_used, b.instances) == (2, 2048, 20, 1)
    assert result.moved == 1


def test_the_input_hosts_are_left_unchanged():
    hosts = _hosts()
    predict(hosts, INSTANCES, [_migrate("i1")])
    assert hosts[0].memory_used == 4096 and hosts[1].memory_used == 0


def test_a_chain_of_migrations_follows_the_instance():
    # Given i1 moved a -> b then b -> a, the map ends where it started
    hosts = _hosts()
    result = predict(hosts, INSTANCES, [_migrate("i1"), _migrate("i1", "a", "b")])
    assert result.hosts["a"].memory_used == 4096
    assert result.hosts["b"].memory_used == 0


def test_a_migration_without_destination_leaves_the_source_and_is_unplaced():
    result = predict(_hosts(), INSTANCES, [_migrate("i2", None)])
    assert result.hosts["a"].memory_used == 2048
    assert result.hosts["b"].memory_used == 0
    assert result.unplaced == ["i2"]


def test_unknown_instances_and_hosts_are_reported_not_guessed():
    result = predict(_hosts(), INSTANCES, [_migrate("nope"), _migrate("i1", "zzz")])
    assert result.unknown == ["nope", "zzz"]
    assert result.hosts["a"].memory_used == 2048  # i1 left a; zzz is not on the map


def test_service_and_power_changes_mark_the_host():
    actions = [
        {"action_type": "change_nova_service_state",
         "input_parameters": {"resource_id": "a", "state": "disabled"}},
        {"action_type": "change_node_power_state",
         "input_parameters": {"resource_id": "bm-1", "resource_name": "b", "state": "off"}},
    ]  # fmt: skip
    result = predict(_hosts(), INSTANCES, actions)
    assert result.hosts["a"].status == "disabled" and result.hosts["a"].state == "up"
    assert result.hosts["b"].state == "down" and result.hosts["b"].status == "enabled"
