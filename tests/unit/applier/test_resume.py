"""``resume()`` of the cloud actions: a worker died after recording the command as sent; the
next one looks at the (simulated) cloud and finishes without sending the command a second time,
or sends it when the cloud shows it never arrived.

A second sending is caught for real: the test arms a failure of that operation in the simulated
cloud, so an action that sent it again would raise.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from watcher_celery.applier.actions.migrate import Migrate
from watcher_celery.applier.actions.node_power import ChangeNodePowerState
from watcher_celery.applier.actions.nova_service import ChangeNovaServiceState
from watcher_celery.applier.actions.resize import Resize
from watcher_celery.applier.actions.stop import Stop
from watcher_celery.applier.actions.volume_migrate import VolumeMigrate
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.config import reset_settings
from watcher_celery.errors import ActionFailed

SENT = datetime.now(UTC)


@pytest.fixture()
def sim(tmp_path, settings_env):
    settings_env.setitem(os.environ, "WATCHER_ACTION_POLL_INTERVAL", "0.05")
    settings_env.setitem(os.environ, "WATCHER_ACTION_TIMEOUT", "5")
    reset_settings()
    cloud = SimulatedCloud.create(tmp_path / "cloud.sqlite", seed=5, hosts=8, instances=30)
    cloud.set_op_seconds(0.3)
    yield cloud
    cloud.close()


def an_active_instance(sim):
    return next(i for i in sim.instances() if i.state == "active" and i.host)


def resizes(sim, uuid: str) -> list:
    return [m for m in sim.migrations(uuid) if m.migration_type == "resize"]


def test_resize_in_flight_when_the_worker_died_is_waited_for_and_confirmed(sim):
    # Given a resize the dead worker sent, still running in the cloud
    instance = an_active_instance(sim)
    sim.resize(instance.uuid, "m1.xlarge")
    sim.inject_failure("resize", instance.uuid, times=-1)  # a second resize would raise
    # When the next worker resumes the action
    done = Resize({"resource_id": instance.uuid, "flavor": "m1.xlarge"}, sim).resume(SENT)
    # Then it waited for that resize and confirmed it, and sent no other
    assert done is True
    after = sim.get_instance(instance.uuid)
    assert (after.flavor_name, after.state, after.task_state) == ("m1.xlarge", "active", None)
    assert len(resizes(sim, instance.uuid)) == 1


def test_resize_that_finished_unconfirmed_is_confirmed(sim):
    instance = an_active_instance(sim)
    sim.set_op_seconds(0.0)
    sim.resize(instance.uuid, "m1.xlarge")
    assert sim.get_instance(instance.uuid).state == "resized"
    sim.inject_failure("resize", instance.uuid, times=-1)
    assert Resize({"resource_id": instance.uuid, "flavor": "m1.xlarge"}, sim).resume(SENT)
    assert sim.get_instance(instance.uuid).state == "active"
    assert len(resizes(sim, instance.uuid)) == 1


def test_resize_confirmed_before_the_worker_died_is_done(sim):
    instance = an_active_instance(sim)
    sim.set_op_seconds(0.0)
    sim.resize(instance.uuid, "m1.xlarge")
    sim.confirm_resize(instance.uuid)
    sim.inject_failure("resize", instance.uuid, times=-1)
    sim.inject_failure("confirm_resize", instance.uuid, times=-1)
    assert Resize({"resource_id": instance.uuid, "flavor": "m1.xlarge"}, sim).resume(SENT)
    assert len(resizes(sim, instance.uuid)) == 1


def test_resize_the_cloud_never_received_is_sent_once(sim):
    instance = an_active_instance(sim)
    assert Resize({"resource_id": instance.uuid, "flavor": "m1.xlarge"}, sim).resume(SENT)
    assert sim.get_instance(instance.uuid).flavor_name == "m1.xlarge"
    assert len(resizes(sim, instance.uuid)) == 1


def test_resize_that_was_sent_and_failed_is_not_sent_again(sim):
    instance = an_active_instance(sim)
    sim.inject_failure("resize", instance.uuid, phase="complete")
    sim.resize(instance.uuid, "m1.xlarge")
    sim.wait_idle()
    with pytest.raises(ActionFailed, match=r"Nova's resize \d+ of instance .* ended error"):
        Resize({"resource_id": instance.uuid, "flavor": "m1.xlarge"}, sim).resume(SENT)
    assert len(resizes(sim, instance.uuid)) == 1
    assert sim.get_instance(instance.uuid).flavor_name == instance.flavor_name


def test_volume_migration_in_flight_is_waited_for_not_sent_again(sim):
    # Given a volume migration the dead worker sent, still running
    volume = sim.volumes()[0]
    pool = next(p.name for p in sim.storage_pools() if p.name != volume.pool)
    sim.migrate_volume(volume.uuid, pool)
    assert sim.get_volume(volume.uuid).migration_status == "migrating"
    sim.inject_failure("migrate_volume", volume.uuid, times=-1)
    # When resumed, Then it waits for it to land
    params = {"resource_id": volume.uuid, "migration_type": "migrate", "destination_node": pool}
    assert VolumeMigrate(params, sim).resume(SENT) is True
    assert sim.get_volume(volume.uuid).pool == pool


def test_volume_migration_that_failed_is_not_sent_again(sim):
    volume = sim.volumes()[0]
    pool = next(p.name for p in sim.storage_pools() if p.name != volume.pool)
    sim.inject_failure("migrate_volume", volume.uuid, phase="complete")
    sim.migrate_volume(volume.uuid, pool)
    sim.wait_idle()
    params = {"resource_id": volume.uuid, "migration_type": "migrate", "destination_node": pool}
    assert VolumeMigrate(params, sim).resume(SENT) is False
    assert sim.get_volume(volume.uuid).pool == volume.pool


def test_volume_migration_never_received_is_sent(sim):
    volume = sim.volumes()[0]
    pool = next(p.name for p in sim.storage_pools() if p.name != volume.pool)
    params = {"resource_id": volume.uuid, "migration_type": "migrate", "destination_node": pool}
    assert VolumeMigrate(params, sim).resume(SENT) is True
    assert sim.get_volume(volume.uuid).pool == pool


def test_set_state_actions_already_in_effect_are_not_sent_again(sim):
    # Given a service disabled, an instance stopped and a node powered off by the dead worker
    host = sim.compute_nodes()[0].hostname
    instance = an_active_instance(sim)
    node = sim.baremetal_nodes()[0]
    sim.set_compute_service(host, False, "maintenance")
    sim.stop_instance(instance.uuid)
    sim.set_power_state(node.uuid, False)
    for operation, resource in (
        ("set_compute_service", host),
        ("stop_instance", instance.uuid),
        ("set_power_state", node.uuid),
    ):
        sim.inject_failure(operation, resource, times=-1)
    # When each action is resumed, Then each sees its effect and sends nothing
    assert ChangeNovaServiceState({"resource_id": host, "state": "disabled"}, sim).resume(SENT)
    assert Stop({"resource_id": instance.uuid}, sim).resume(SENT)
    assert ChangeNodePowerState({"resource_id": node.uuid, "state": "off"}, sim).resume(SENT)


def test_set_state_actions_the_cloud_never_received_are_sent(sim):
    host = sim.compute_nodes()[0].hostname
    instance = an_active_instance(sim)
    node = next(
        n for n in sim.baremetal_nodes()
        if not any(i.host == n.hypervisor_hostname for i in sim.instances())
    )  # fmt: skip
    assert ChangeNovaServiceState({"resource_id": host, "state": "disabled"}, sim).resume(SENT)
    assert Stop({"resource_id": instance.uuid}, sim).resume(SENT)
    assert ChangeNodePowerState({"resource_id": node.uuid, "state": "off"}, sim).resume(SENT)
    assert sim.get_compute_node(host).status == "disabled"
    assert sim.get_instance(instance.uuid).state == "stopped"
    assert sim.get_baremetal_node(node.uuid).power_state == "power off"


def test_live_migration_in_flight_is_waited_for_not_sent_again(sim):
    instance = an_active_instance(sim)
    sim.live_migrate(instance.uuid)
    sim.inject_failure("live_migrate", instance.uuid, times=-1)
    params = {"resource_id": instance.uuid, "migration_type": "live", "source_node": instance.host}
    assert Migrate(params, sim).resume(SENT) is True
    assert sim.get_instance(instance.uuid).host != instance.host
    assert len(sim.migrations(instance.uuid)) == 1


def test_a_failed_resize_from_an_earlier_attempt_does_not_stop_this_one(sim):
    # Given a resize of the instance that failed well before this action's command was recorded
    instance = an_active_instance(sim)
    sim.inject_failure("resize", instance.uuid, phase="complete")
    sim.resize(instance.uuid, "m1.xlarge")
    sim.wait_idle()
    recorded = datetime.now(UTC) + timedelta(minutes=5)
    # When the action resumes (the cloud shows nothing of its own command)
    done = Resize({"resource_id": instance.uuid, "flavor": "m1.xlarge"}, sim).resume(recorded)
    # Then the old failure is not taken for its own: it sends the resize, which succeeds
    assert done is True
    assert sim.get_instance(instance.uuid).flavor_name == "m1.xlarge"
    assert len(resizes(sim, instance.uuid)) == 2


def test_a_failed_migration_from_an_earlier_attempt_does_not_stop_this_one(sim):
    instance = an_active_instance(sim)
    sim.inject_failure("live_migrate", instance.uuid, phase="complete")
    sim.live_migrate(instance.uuid)
    sim.wait_idle()
    assert sim.get_instance(instance.uuid).host == instance.host
    params = {"resource_id": instance.uuid, "migration_type": "live", "source_node": instance.host}
    recorded = datetime.now(UTC) + timedelta(minutes=5)
    assert Migrate(params, sim).resume(recorded) is True
    assert sim.get_instance(instance.uuid).host != instance.host


def test_a_migration_that_failed_after_the_command_was_recorded_is_not_sent_again(sim):
    instance = an_active_instance(sim)
    sim.inject_failure("live_migrate", instance.uuid, phase="complete")
    sim.live_migrate(instance.uuid)
    sim.wait_idle()
    params = {"resource_id": instance.uuid, "migration_type": "live", "source_node": instance.host}
    with pytest.raises(ActionFailed, match="Simulated failure of live_migrate"):
        Migrate(params, sim).resume(SENT)
    assert len(sim.migrations(instance.uuid)) == 1
