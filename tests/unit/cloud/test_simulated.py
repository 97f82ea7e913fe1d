"""The simulated cloud: deterministic, realistic, persisted, with timed and failing operations."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.errors import CloudError


def _movable(cloud: SimulatedCloud):
    return next(i for i in cloud.instances() if i.state == "active" and i.host)


def test_same_seed_gives_the_same_cloud_and_another_seed_does_not(tmp_path):
    a = SimulatedCloud.create(tmp_path / "a.sqlite", seed=3, hosts=20, instances=150)
    b = SimulatedCloud.create(tmp_path / "b.sqlite", seed=3, hosts=20, instances=150)
    c = SimulatedCloud.create(tmp_path / "c.sqlite", seed=4, hosts=20, instances=150)
    for sim in (a, b, c):
        sim.set_clock(1_700_000_000)
    assert a.export_json() == b.export_json()
    assert a.export_json()["instances"] != c.export_json()["instances"]


def test_generated_cluster_has_a_realistic_mix(tmp_path):
    sim = SimulatedCloud.create(tmp_path / "c.sqlite", seed=11, hosts=200, instances=3000)
    nodes, instances = sim.compute_nodes(), sim.instances()
    assert len(nodes) == 200 and len(instances) == 3000
    assert {n.availability_zone for n in nodes} == {"az1", "az2", "az3", "az4"}
    assert {i.flavor_name for i in instances} == {f"m1.{s}" for s in (
        "tiny", "small", "medium", "large", "xlarge")}  # fmt: skip
    per_host = {}
    for inst in instances:
        per_host[inst.host] = per_host.get(inst.host, 0) + 1
    idle = [n for n in nodes if n.hostname not in per_host]
    assert idle, "some hosts are idle"
    assert max(per_host.values()) > 3 * (3000 / 200), "placement is skewed"
    assert any("ssd" in n.aggregates for n in nodes)
    assert len({i.project_id for i in instances}) > 10
    usage = sim.host_usage()
    for node in nodes:  # placement respects capacity
        used = usage.get(node.hostname, (0, 0, 0, 0))
        assert used[0] <= node.vcpu_capacity and used[1] <= node.memory_capacity


def test_an_existing_cloud_is_kept_when_opened_again(cloud):
    inst = _movable(cloud)
    cloud.stop_instance(inst.uuid)
    cloud.wait_idle()
    again = SimulatedCloud.create(cloud.path, seed=99, hosts=3, instances=5)
    assert again.get_instance(inst.uuid).state == "stopped"
    assert len(again.compute_nodes()) == 12


def test_live_migration_runs_with_progress_then_moves_the_instance(cloud):
    cloud.set_op_seconds(1.5)  # long enough to observe it running
    inst = _movable(cloud)
    cloud.live_migrate(inst.uuid)
    [accepted] = cloud.migrations(inst.uuid)
    assert accepted.status == "accepted" and accepted.migration_type == "live-migration"
    time.sleep(0.35)  # accepted and preparing take a tenth of the time each
    [running] = cloud.migrations(inst.uuid)
    assert running.status == "running"
    assert 0 <= running.progress < 100
    assert cloud.get_instance(inst.uuid).task_state == "migrating"
    with pytest.raises(CloudError, match="busy"):
        cloud.live_migrate(inst.uuid)
    cloud.wait_idle()
    [done] = cloud.migrations(inst.uuid)
    moved = cloud.get_instance(inst.uuid)
    assert done.status == "completed" and done.progress == 100
    assert moved.host == done.destination != inst.host
    assert moved.task_state is None


def test_a_change_is_seen_by_another_process(cloud):
    inst = _movable(cloud)
    cloud.live_migrate(inst.uuid)
    time.sleep(0.1)  # the other process settles the migration when it reads
    code = (
        "from watcher_celery.cloud.simulated import SimulatedCloud;"
        f"print(SimulatedCloud({str(cloud.path)!r}).get_instance({inst.uuid!r}).host)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    dest = cloud.get_instance(inst.uuid).host
    assert out.stdout.strip() == dest != inst.host


def test_injected_start_failure_raises_once(cloud):
    inst = _movable(cloud)
    cloud.inject_failure("live_migrate", inst.uuid, message="compute unreachable")
    with pytest.raises(CloudError, match="compute unreachable"):
        cloud.live_migrate(inst.uuid)
    assert cloud.migrations(inst.uuid) == []
    cloud.live_migrate(inst.uuid)  # the failure was used up
    cloud.wait_idle()
    assert cloud.get_instance(inst.uuid).host != inst.host


def test_injected_completion_failure_leaves_the_instance_on_its_source(cloud):
    inst = _movable(cloud)
    cloud.inject_failure("live_migrate", "*", phase="complete")
    cloud.live_migrate(inst.uuid)
    cloud.wait_idle()
    [failed] = cloud.migrations(inst.uuid)
    assert failed.status == "error"
    after = cloud.get_instance(inst.uuid)
    assert after.host == inst.host and after.task_state is None and after.state == "active"


def test_abort_stops_a_running_live_migration(cloud):
    cloud.set_op_seconds(5)
    inst = _movable(cloud)
    cloud.live_migrate(inst.uuid)
    [mig] = cloud.migrations(inst.uuid)
    with pytest.raises(CloudError, match="not a running live migration"):
        cloud.abort_migration(inst.uuid, mig.id)  # Nova refuses while it is "accepted"
    time.sleep(0.6)  # accepted lasts a tenth of the 5 s
    assert cloud.migrations(inst.uuid)[0].status == "preparing"
    cloud.abort_migration(inst.uuid, mig.id)
    [aborted] = cloud.migrations(inst.uuid)
    assert aborted.status == "cancelled"
    assert cloud.get_instance(inst.uuid).host == inst.host
    with pytest.raises(CloudError, match="not a running live migration"):
        cloud.abort_migration(inst.uuid, mig.id)


def test_cold_migration_waits_for_confirmation_and_revert_goes_back(cloud):
    inst = _movable(cloud)
    cloud.cold_migrate(inst.uuid)
    cloud.wait_idle()
    resized = cloud.get_instance(inst.uuid)
    assert resized.state == "resized" and resized.host != inst.host
    cloud.revert_resize(inst.uuid)
    assert cloud.get_instance(inst.uuid).task_state == "resize_reverting"
    cloud.wait_idle()
    back = cloud.get_instance(inst.uuid)
    assert back.state == "active" and back.host == inst.host
    with pytest.raises(CloudError, match="no resize"):
        cloud.confirm_resize(inst.uuid)


def test_resize_changes_the_flavor_once_confirmed(cloud):
    inst = next(i for i in cloud.instances() if i.state == "active" and i.flavor_name != "m1.large")
    cloud.resize(inst.uuid, "m1.large")
    cloud.wait_idle()
    cloud.confirm_resize(inst.uuid)
    cloud.wait_idle()
    after = cloud.get_instance(inst.uuid)
    assert (after.flavor_name, after.vcpus, after.memory, after.state) == (
        "m1.large", 4, 8192, "active")  # fmt: skip
    with pytest.raises(CloudError, match="Flavor m1.huge could not be found"):
        cloud.resize(inst.uuid, "m1.huge")


def test_destination_is_checked(cloud):
    inst = _movable(cloud)
    with pytest.raises(CloudError, match="already on host"):
        cloud.live_migrate(inst.uuid, inst.host)
    with pytest.raises(CloudError, match="could not be found"):
        cloud.live_migrate(inst.uuid, "nowhere")
    other = next(n for n in cloud.compute_nodes() if n.hostname != inst.host)
    cloud.set_compute_service(other.hostname, False, "maintenance")
    with pytest.raises(CloudError, match="No valid host"):
        cloud.live_migrate(inst.uuid, other.hostname)
    node = cloud.get_compute_node(other.hostname)
    assert (node.status, node.disabled_reason) == ("disabled", "maintenance")
    cloud.set_compute_service(other.hostname, True)
    assert cloud.get_compute_node(other.hostname).available


def test_stop_start_and_bare_metal_power(cloud):
    inst = _movable(cloud)
    cloud.set_op_seconds(1.0)  # powering-off lasts a tenth of it
    cloud.stop_instance(inst.uuid)
    assert cloud.get_instance(inst.uuid).task_state == "powering-off"
    cloud.wait_idle()
    assert cloud.get_instance(inst.uuid).state == "stopped"
    with pytest.raises(CloudError, match="expected active"):
        cloud.stop_instance(inst.uuid)
    cloud.start_instance(inst.uuid)
    cloud.wait_idle()
    assert cloud.get_instance(inst.uuid).state == "active"
    node = cloud.compute_nodes()[0]
    cloud.set_power_state(node.baremetal_uuid, on=False)
    assert cloud.get_baremetal_node(node.baremetal_uuid).power_state == "power off"
    assert cloud.get_compute_node(node.hostname).state == "down"


def test_volume_migration_and_retype(cloud):
    vol = cloud.volumes()[0]
    target = next(p for p in cloud.storage_pools() if p.name != vol.pool)
    cloud.migrate_volume(vol.uuid, target.name)
    cloud.wait_idle()
    assert cloud.get_volume(vol.uuid).pool == target.name
    pools = {p.name: p for p in cloud.storage_pools()}
    assert pools[target.name].allocated_capacity_gb >= vol.size
    other_type = next(t for p in pools.values() for t in p.volume_types if t != vol.volume_type)
    cloud.retype_volume(vol.uuid, other_type)
    after = cloud.get_volume(vol.uuid)
    assert after.volume_type == other_type and other_type in pools[after.pool].volume_types
    with pytest.raises(CloudError, match="Volume type gold could not be found"):
        cloud.retype_volume(vol.uuid, "gold")


def test_json_description_round_trips_with_its_metrics(cloud, tmp_path):
    cloud.set_clock(1_700_000_000)
    exported = cloud.export_json()
    replay = SimulatedCloud.from_json(tmp_path / "replay.sqlite", exported)
    again = replay.export_json()
    assert again["instances"] == exported["instances"]
    for a, b in zip(again["hosts"], exported["hosts"], strict=True):
        assert a["hostname"] == b["hostname"] and a["aggregates"] == b["aggregates"]
        assert a["metrics"]["cpu_util"] == pytest.approx(b["metrics"]["cpu_util"], abs=0.01)
        assert a["metrics"]["memory_used_mb"] == pytest.approx(b["metrics"]["memory_used_mb"])
    assert len(again["volumes"]) == len(exported["volumes"])


def test_a_bad_description_is_rejected_and_the_cloud_kept(cloud):
    before = len(cloud.instances())
    with pytest.raises(ValueError, match="format"):
        cloud.load_json({"hosts": []})
    with pytest.raises(ValueError, match="invalid cluster description"):
        cloud.load_json({"format": "watcher-celery-cluster/1", "hosts": [{"vcpus": 1}]})
    assert len(cloud.instances()) == before
