"""The cloud actions against a simulated cloud that behaves as real Nova does.

Real Nova answers a cold migration or resize 202 *before* its migration record exists, shows
``pre-migrating`` … ``finished`` with the server's task_state, keeps VERIFY_RESIZE until a
client confirms, starts a live migration ``accepted``, fails a request no host can take later
(migration ``error``, reason in the fault) and powers a server off a moment after the 202 of a
stop. Each test here would have failed on the actions that assumed otherwise.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from watcher_celery.applier.actions.base import REVERTED
from watcher_celery.applier.actions.migrate import Migrate
from watcher_celery.applier.actions.resize import Resize
from watcher_celery.applier.actions.stop import Stop
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.config import reset_settings
from watcher_celery.errors import ActionFailed

NO_HOST = "No valid host was found. There are not enough hosts available."


@pytest.fixture()
def sim(tmp_path, settings_env):
    settings_env.setitem(os.environ, "WATCHER_ACTION_POLL_INTERVAL", "0.05")
    settings_env.setitem(os.environ, "WATCHER_ACTION_TIMEOUT", "10")
    reset_settings()
    cloud = SimulatedCloud.create(tmp_path / "cloud.sqlite", seed=5, hosts=8, instances=30)
    cloud.set_op_seconds(0.6)
    yield cloud
    cloud.close()


def a_server(sim, state="active"):
    return next(i for i in sim.instances() if i.state == state and i.host)


def migrate(sim, instance, kind) -> Migrate:
    params = {"resource_id": instance.uuid, "migration_type": kind, "source_node": instance.host}
    action = Migrate(params, sim)
    action.before = action.snapshot()
    return action


def held_on(sim, instance) -> set[str]:
    """Hosts holding resources for the server: its own allocations and its migrations'."""
    hosts = set(sim.allocations(instance.uuid))
    for m in sim.migrations(instance.uuid):
        hosts |= set(sim.allocations(m.uuid))
    return hosts


def test_the_model_answers_before_the_record_exists_and_never_auto_confirms(sim):
    # Given a cold migration just requested
    server = a_server(sim)
    sim.cold_migrate(server.uuid)
    # Then there is no record yet, but the server is busy (resize_prep)
    assert sim.migrations(server.uuid) == []
    assert sim.get_instance(server.uuid).task_state == "resize_prep"
    # When it has run its course, it waits in VERIFY_RESIZE holding both hosts
    sim.wait_idle()
    [record] = sim.migrations(server.uuid)
    after = sim.get_instance(server.uuid)
    assert (record.status, after.state, after.task_state) == ("finished", "resized", None)
    assert held_on(sim, after) == {server.host, after.host}


def test_cold_migration_of_a_stopped_server_is_followed_confirmed_and_done(sim):
    # Given a stopped server (a cold migration is the only way to move it)
    server = a_server(sim, "stopped")
    # When the action migrates it
    assert migrate(sim, server, "cold").execute() is True
    # Then it is on another host, SHUTOFF and idle, confirmed, holding one host only
    after = sim.get_instance(server.uuid)
    assert after.host != server.host
    assert (after.state, after.task_state) == ("stopped", None)
    assert [m.status for m in sim.migrations(server.uuid)] == ["confirmed"]
    assert held_on(sim, after) == {after.host}


def test_live_migration_accepted_then_running_succeeds(sim):
    server = a_server(sim)
    assert migrate(sim, server, "live").execute() is True
    after = sim.get_instance(server.uuid)
    assert after.host != server.host and after.task_state is None
    assert [m.status for m in sim.migrations(server.uuid)] == ["completed"]


def test_resize_is_confirmed_and_the_action_waits_for_active(sim):
    server = next(
        i for i in sim.instances() if i.state == "active" and i.flavor_name != "m1.xlarge"
    )
    action = Resize({"resource_id": server.uuid, "flavor": "m1.xlarge"}, sim)
    action.before = action.snapshot()
    assert action.execute() is True
    after = sim.get_instance(server.uuid)
    # Not merely confirmed: the confirmation is over and the server ACTIVE again
    assert (after.flavor_name, after.state, after.task_state) == ("m1.xlarge", "active", None)
    assert [m.status for m in sim.migrations(server.uuid)] == ["confirmed"]


def test_a_migration_nova_fails_later_fails_the_action_with_novas_reason(sim):
    # Given a cold migration Nova accepts (202) and fails later, as with no host for it
    server = a_server(sim)
    sim.inject_failure("cold_migrate", server.uuid, phase="complete", message=NO_HOST)
    # Then the action fails with the migration status and the server's fault
    with pytest.raises(ActionFailed) as failure:
        migrate(sim, server, "cold").execute()
    assert "ended error" in str(failure.value)
    assert NO_HOST in str(failure.value)
    assert "server ACTIVE on " + server.host in str(failure.value)


def test_a_resize_no_host_can_take_fails_with_novas_reason(sim):
    server = a_server(sim)
    sim.inject_failure("resize", server.uuid, phase="complete", message=NO_HOST)
    action = Resize({"resource_id": server.uuid, "flavor": "m1.xlarge"}, sim)
    with pytest.raises(ActionFailed, match=NO_HOST):
        action.execute()
    assert sim.get_instance(server.uuid).flavor_name == server.flavor_name


def test_revert_of_a_migration_left_in_verify_resize_reverts_and_verifies(sim):
    # Given the action's cold migration reached VERIFY_RESIZE (its worker gave up there)
    server = a_server(sim)
    action = migrate(sim, server, "cold")
    sim.cold_migrate(server.uuid)
    sim.wait_idle()
    assert sim.get_instance(server.uuid).state == "resized"
    # When reverted, Then the resize is reverted and the server verified back on its source
    assert action.revert() == REVERTED
    after = sim.get_instance(server.uuid)
    assert (after.host, after.state, after.task_state) == (server.host, "active", None)
    assert sim.migrations(server.uuid)[0].status == "reverted"
    assert held_on(sim, after) == {server.host}


def test_revert_while_the_cold_migration_has_no_record_yet_does_not_miss_it(sim):
    # Given a cold migration answered 202 a moment ago: no record yet, server resize_prep
    server = a_server(sim)
    action = migrate(sim, server, "cold")
    sim.cold_migrate(server.uuid)
    assert sim.migrations(server.uuid) == []
    # When reverted now, Then it waits for the migration, reverts it and verifies
    assert action.revert() == REVERTED
    after = sim.get_instance(server.uuid)
    assert (after.host, after.state, after.task_state) == (server.host, "active", None)
    sim.wait_idle()
    assert sim.get_instance(server.uuid).state == "active"  # nothing left in VERIFY_RESIZE
    assert held_on(sim, after) == {server.host}


def test_revert_of_a_confirmed_migration_moves_the_server_back(sim):
    server = a_server(sim)
    action = migrate(sim, server, "live")
    assert action.execute() is True
    assert action.revert() == REVERTED
    assert sim.get_instance(server.uuid).host == server.host


def test_revert_with_nothing_to_undo_says_where_the_server_is(sim):
    # Given a live migration Nova failed: the server never left its source
    server = a_server(sim)
    action = migrate(sim, server, "live")
    sim.inject_failure("live_migrate", server.uuid, phase="complete")
    with pytest.raises(ActionFailed):
        action.execute()
    # Then the revert does nothing and says so
    outcome = action.revert()
    assert outcome == f"nothing to revert: server ACTIVE on {server.host}"
    assert len(sim.migrations(server.uuid)) == 1


def test_revert_of_a_running_live_migration_aborts_it(sim):
    sim.set_op_seconds(5)
    server = a_server(sim)
    action = migrate(sim, server, "live")
    sim.live_migrate(server.uuid)
    assert action.revert() == REVERTED
    assert sim.migrations(server.uuid)[0].status == "cancelled"
    assert sim.get_instance(server.uuid).host == server.host


def test_stop_waits_until_the_server_is_shutoff(sim):
    server = a_server(sim)
    assert Stop({"resource_id": server.uuid}, sim).execute() is True
    after = sim.get_instance(server.uuid)
    assert (after.state, after.task_state) == ("stopped", None)


def test_revert_of_a_stop_starts_the_server_and_waits_for_active(sim):
    server = a_server(sim)
    action = Stop({"resource_id": server.uuid}, sim)
    action.execute()
    assert action.revert() == REVERTED
    after = sim.get_instance(server.uuid)
    assert (after.state, after.task_state) == ("active", None)


def test_revert_of_a_confirmed_resize_resizes_back_to_the_old_flavor(sim):
    server = next(
        i for i in sim.instances() if i.state == "active" and i.flavor_name != "m1.xlarge"
    )
    action = Resize({"resource_id": server.uuid, "flavor": "m1.xlarge"}, sim)
    action.before = action.snapshot()
    assert action.execute() is True
    assert action.revert() == REVERTED
    after = sim.get_instance(server.uuid)
    assert (after.flavor_name, after.state) == (server.flavor_name, "active")
    assert after.task_state is None
    assert [m.status for m in sim.migrations(server.uuid)] == ["confirmed", "confirmed"]


def test_a_stop_the_dead_worker_sent_is_waited_for_not_sent_again(sim):
    # Given a stop accepted by the cloud a moment ago (powering-off)
    server = a_server(sim)
    sim.stop_instance(server.uuid)
    sim.inject_failure("stop_instance", server.uuid, times=-1)  # a second stop would raise
    # When the next worker resumes the action, Then it waits for SHUTOFF
    assert Stop({"resource_id": server.uuid}, sim).resume(datetime.now(UTC)) is True
    after = sim.get_instance(server.uuid)
    assert (after.state, after.task_state) == ("stopped", None)
