"""The openstacksdk adapter over real HTTP against the emulator, backed by a simulated cloud."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.support.emulated_openstack import CLOUDS_YAML
from watcher_celery.cloud.emulator import serve
from watcher_celery.cloud.openstack import OpenStackCloud
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.decision_engine.collector import collect
from watcher_celery.errors import CloudError


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    path = tmp_path_factory.mktemp("os") / "cloud.sqlite"
    cloud = SimulatedCloud.create(path, seed=17, hosts=10, instances=40)
    cloud.set_op_seconds(0.05)
    return cloud


def test_compute_nodes_match_the_simulated_cloud(adapter, sim):
    got = {n.hostname: n for n in adapter.compute_nodes()}
    want = {n.hostname: n for n in sim.compute_nodes()}
    assert set(got) == set(want)
    for name, node in want.items():
        seen = got[name]
        assert (seen.vcpus, seen.memory, seen.disk) == (node.vcpus, node.memory, node.disk)
        assert seen.vcpu_reserved == node.vcpu_reserved
        assert seen.vcpu_ratio == node.vcpu_ratio and seen.memory_ratio == node.memory_ratio
        assert (seen.state, seen.status) == (node.state, node.status)
        assert seen.availability_zone == node.availability_zone
        assert set(seen.aggregates) == set(node.aggregates)


def test_instances_match_the_simulated_cloud(adapter, sim):
    got = {i.uuid: i for i in adapter.instances()}
    want = {i.uuid: i for i in sim.instances()}
    assert set(got) == set(want)
    for uuid, inst in want.items():
        seen = got[uuid]
        assert (seen.vcpus, seen.memory, seen.disk) == (inst.vcpus, inst.memory, inst.disk)
        assert (seen.host, seen.state, seen.project_id) == (inst.host, inst.state, inst.project_id)
        assert seen.metadata == inst.metadata and seen.flavor_name == inst.flavor_name


def test_the_model_built_through_the_sdk_equals_the_simulated_one(adapter, sim):
    scope = [{"availability_zones": [{"name": "az1"}]}]
    through_sdk, direct = collect(adapter, scope), collect(sim, scope)
    assert set(through_sdk.nodes) == set(direct.nodes)
    for host in direct.nodes:
        assert through_sdk.free(host) == direct.free(host)


def _active(sim):
    return next(
        i for i in sim.instances() if i.state == "active" and i.host and i.task_state is None
    )


def test_live_migration_through_the_sdk_with_progress_and_completion(adapter, sim):
    sim.set_op_seconds(1.5)  # long enough to observe it running
    inst = _active(sim)
    sent = datetime.now(UTC)
    adapter.live_migrate(inst.uuid)
    # openstacksdk asks at microversion 2.30: Nova answers once the record is "preparing"
    assert adapter.migrations(inst.uuid)[0].status == "preparing"
    time.sleep(0.3)
    running = adapter.migrations(inst.uuid)[0]
    assert running.status == "running" and running.migration_type == "live-migration"
    assert abs((running.created_at - sent).total_seconds()) < 5  # Nova's UTC time, parsed
    assert running.progress is not None and running.source == inst.host
    sim.wait_idle()
    done = adapter.migrations(inst.uuid)[0]
    assert done.status == "completed"
    assert adapter.get_instance(inst.uuid).host == done.destination != inst.host
    sim.set_op_seconds(0.05)


def test_abort_and_refused_operations_are_cloud_errors(adapter, sim):
    sim.set_op_seconds(5)
    inst = _active(sim)
    adapter.live_migrate(inst.uuid)
    running = adapter.migrations(inst.uuid)[0]
    assert running.status == "preparing"  # Nova aborts those too from microversion 2.65
    adapter.abort_migration(inst.uuid, running.id)
    assert adapter.migrations(inst.uuid)[0].status == "cancelled"
    with pytest.raises(CloudError, match="not a running live migration"):
        adapter.abort_migration(inst.uuid, running.id)
    sim.set_op_seconds(0.05)
    with pytest.raises(CloudError, match="could not be found"):
        adapter.live_migrate(inst.uuid, "no-such-host")
    sim.inject_failure("live_migrate", inst.uuid, message="libvirt said no")
    with pytest.raises(CloudError, match="libvirt said no"):
        adapter.live_migrate(inst.uuid)


def test_cold_migration_to_a_host_then_confirm(adapter, sim):
    inst = _active(sim)
    dest = next(
        n.hostname for n in sim.compute_nodes()
        if n.available and n.hostname != inst.host and sim.host_usage().get(n.hostname) is None
    )  # fmt: skip
    adapter.cold_migrate(inst.uuid, dest)
    sim.wait_idle()
    assert adapter.get_instance(inst.uuid).state == "resized"
    adapter.confirm_resize(inst.uuid)
    sim.wait_idle()  # confirming, then confirmed
    after = adapter.get_instance(inst.uuid)
    assert (after.host, after.state) == (dest, "active")
    assert adapter.migrations(inst.uuid)[0].status == "confirmed"


def test_resize_and_revert(adapter, sim):
    inst = next(i for i in sim.instances() if i.state == "active" and i.flavor_name == "m1.small")
    adapter.resize(inst.uuid, "m1.medium")
    sim.wait_idle()
    assert adapter.get_instance(inst.uuid).flavor_name == "m1.medium"
    adapter.revert_resize(inst.uuid)
    sim.wait_idle()  # reverting, then reverted
    back = adapter.get_instance(inst.uuid)
    assert (back.flavor_name, back.host, back.state) == ("m1.small", inst.host, "active")
    with pytest.raises(CloudError, match="Flavor m1.giant could not be found"):
        adapter.resize(inst.uuid, "m1.giant")
    assert adapter.flavor_exists("m1.large") and not adapter.flavor_exists("m1.giant")


def test_stop_start_and_compute_service(adapter, sim):
    inst = _active(sim)
    adapter.stop_instance(inst.uuid)
    sim.wait_idle()  # powering-off, then SHUTOFF
    assert sim.get_instance(inst.uuid).state == "stopped"
    adapter.start_instance(inst.uuid)
    sim.wait_idle()
    assert sim.get_instance(inst.uuid).state == "active"
    host = sim.compute_nodes()[-1].hostname
    adapter.set_compute_service(host, False, "watcher_disabled")
    node = adapter.get_compute_node(host)
    assert (node.status, node.disabled_reason) == ("disabled", "watcher_disabled")
    adapter.set_compute_service(host, True)
    assert sim.get_compute_node(host).status == "enabled"


def test_storage_and_bare_metal_through_the_sdk(adapter, sim):
    pools = {p.name: p for p in adapter.storage_pools()}
    assert set(pools) == {p.name for p in sim.storage_pools()}
    volumes = {v.uuid: v for v in adapter.volumes()}
    assert set(volumes) == {v.uuid for v in sim.volumes()}
    vol = next(iter(volumes.values()))
    target = next(name for name in pools if name != vol.pool)
    assert vol.migration_status is None
    sim.set_op_seconds(1.5)  # long enough to see it migrating
    adapter.migrate_volume(vol.uuid, target)
    assert adapter.get_volume(vol.uuid).migration_status == "migrating"
    sim.wait_idle()
    sim.set_op_seconds(0.05)
    moved = adapter.get_volume(vol.uuid)
    assert (moved.pool, moved.migration_status) == (target, "success")
    new_type = next(t for p in pools.values() for t in p.volume_types if t != vol.volume_type)
    adapter.retype_volume(vol.uuid, new_type)
    assert sim.get_volume(vol.uuid).volume_type == new_type
    nodes = adapter.baremetal_nodes()
    assert {n.uuid for n in nodes} == {n.uuid for n in sim.baremetal_nodes()}
    adapter.set_power_state(nodes[0].uuid, on=False)
    assert adapter.get_baremetal_node(nodes[0].uuid).power_state == "power off"
    adapter.set_power_state(nodes[0].uuid, on=True)
    assert sim.get_baremetal_node(nodes[0].uuid).power_state == "power on"


def test_unreachable_cloud_is_a_clear_error(tmp_path, monkeypatch):
    from harness.processes import free_port

    config = tmp_path / "clouds.yaml"
    config.write_text(CLOUDS_YAML.format(url=f"http://127.0.0.1:{free_port()}"))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(config))
    with pytest.raises(CloudError, match="OpenStack compute_nodes failed"):
        OpenStackCloud(cloud="emulator").compute_nodes()


def test_compute_nodes_are_linked_to_their_bare_metal_nodes(adapter, sim):
    model = collect(adapter, [], ("compute", "baremetal"))
    expected = {n.hostname: n.baremetal_uuid for n in sim.compute_nodes()}
    assert {h: n.baremetal_uuid for h, n in model.nodes.items()} == expected


@pytest.mark.parametrize(
    "name, parameters",
    [
        ("zone_migration", {}),  # pools, volumes and hosts named below
        ("saving_energy", {"free_used_percent": 0.0, "min_free_hosts_num": 0}),
    ],
)
def test_storage_and_metal_strategies_plan_the_same_through_the_sdk(adapter, sim, name, parameters):
    # Given the cluster read through openstacksdk from the emulator and straight from the cloud
    from watcher_celery.plugins import StrategyContext
    from watcher_celery.plugins.parameters import validate
    from watcher_celery.plugins.registry import get_registry

    strategy = get_registry().strategy(name)
    models = [collect(a, None, strategy.models) for a in (adapter, sim)]
    if name == "zone_migration":
        pools = sorted(models[1].pools)
        first = sorted(models[1].nodes)[0]
        parameters = {
            "storage_pools": [
                {"src_pool": pools[0], "dst_pool": pools[1]},
                {"src_pool": pools[1], "dst_type": "standard"},
            ],
            "compute_nodes": [{"src_node": first}],
        }
    plans = []
    for model in models:
        context = StrategyContext(validate(strategy.parameters_schema, parameters), model)
        plans.append(strategy.execute(context))
    # Then the strategy plans the same actions from both, and plans something
    assert plans[0].actions == plans[1].actions
    assert plans[0].actions


def test_storage_capacity_balance_reads_cinder_pools_through_the_sdk(tmp_path, monkeypatch):
    # Given a cloud of two zones (two pools per volume type) served by the emulator
    from watcher_celery.plugins import StrategyContext
    from watcher_celery.plugins.parameters import validate
    from watcher_celery.plugins.registry import get_registry

    cloud = SimulatedCloud.create(tmp_path / "cloud.sqlite", seed=42, hosts=16, instances=120)
    server, url = serve(cloud)
    try:
        (tmp_path / "clouds.yaml").write_text(CLOUDS_YAML.format(url=url))
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "clouds.yaml"))
        sdk = OpenStackCloud(cloud="emulator")
        strategy = get_registry().strategy("storage_capacity_balance")
        params = validate(strategy.parameters_schema, {"volume_threshold": 4.0})
        # When the strategy plans from the pools and volumes read through openstacksdk
        through_sdk = strategy.execute(StrategyContext(params, collect(sdk, None, ("storage",))))
        direct = strategy.execute(StrategyContext(params, collect(cloud, None, ("storage",))))
    finally:
        server.shutdown()
        cloud.close()
    # Then it moves volumes off the fullest pools, as from the cloud itself
    assert through_sdk.actions and through_sdk.actions == direct.actions


def test_one_compute_node_is_read_alone_and_an_unknown_one_is_none(adapter, sim):
    # An action's pre_condition reads its destination: that host's service, hypervisor,
    # provider and inventory only, equal to what the whole listing says of it
    every = {n.hostname: n for n in adapter.compute_nodes()}
    host = sorted(every)[3]
    assert adapter.get_compute_node(host) == every[host]
    assert adapter.get_compute_node("no-such-host") is None
