"""The emulator shows what real Nova shows, and the actions cope, through openstacksdk over HTTP.

Real Nova (``docs/cloud.md``): 202 before the migration record; ``pre-migrating`` …
``finished`` with task_state and status RESIZE; VERIFY_RESIZE kept, with Placement allocations
on two hosts, until a confirm; a live migration at microversion ≥ 2.34 starting ``accepted``;
a late failure with the reason in the failed instance action (no fault on an ACTIVE server).
"""

from __future__ import annotations

import os
import time

import pytest

from tests.support.emulated_openstack import adapter_for
from watcher_celery.applier.actions.base import REVERTED
from watcher_celery.applier.actions.migrate import Migrate
from watcher_celery.applier.actions.resize import Resize
from watcher_celery.applier.actions.stop import Stop
from watcher_celery.cloud.emulator import serve
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.config import reset_settings
from watcher_celery.errors import ActionFailed

NO_HOST = "No valid host was found. There are not enough hosts available."


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    path = tmp_path_factory.mktemp("nova") / "cloud.sqlite"
    cloud = SimulatedCloud.create(path, seed=23, hosts=10, instances=40)
    cloud.set_op_seconds(1.0)
    return cloud


@pytest.fixture(scope="module")
def adapter(sim, tmp_path_factory):
    server, url = serve(sim)
    with adapter_for(url, tmp_path_factory.mktemp("clouds")) as cloud:
        yield cloud
    server.shutdown()


@pytest.fixture()
def fast_polls(settings_env):
    settings_env.setitem(os.environ, "WATCHER_ACTION_POLL_INTERVAL", "0.1")
    settings_env.setitem(os.environ, "WATCHER_ACTION_TIMEOUT", "20")
    reset_settings()


_used: set[str] = set()


def a_server(sim, state="active"):
    for i in sim.instances():
        if i.state == state and i.host and i.task_state is None and i.uuid not in _used:
            _used.add(i.uuid)
            return i
    raise LookupError(state)


def status_of(adapter, uuid: str) -> str:
    return adapter.conn.compute.get_server(uuid).status


def providers_holding(adapter, uuid: str) -> set[str]:
    """Resource providers with allocations of the server or of one of its migrations."""
    placement = adapter.conn.placement
    consumers = [uuid] + [m.uuid for m in adapter.migrations(uuid) if m.uuid]
    held = set()
    for consumer in consumers:
        response = placement.get(f"/allocations/{consumer}", microversion="1.28")
        held |= set(response.json()["allocations"])
    return held


def provider_consumers(adapter, hostname: str) -> set[str]:
    placement = adapter.conn.placement
    [provider] = placement.get("/resource_providers", params={"name": hostname}).json()[
        "resource_providers"
    ]
    response = placement.get(f"/resource_providers/{provider['uuid']}/allocations")
    return set(response.json()["allocations"])


def test_cold_migration_is_answered_before_its_record_and_waits_in_verify_resize(adapter, sim):
    server = a_server(sim)
    adapter.cold_migrate(server.uuid)
    # Right after the 202: no record yet, but the server is busy
    assert adapter.migrations(server.uuid) == []
    assert adapter.get_instance(server.uuid).task_state == "resize_prep"
    assert status_of(adapter, server.uuid) == "RESIZE"
    seen = set()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = adapter.migrations(server.uuid)
        if found:
            seen.add(found[0].status)
            if found[0].status == "finished":
                break
        time.sleep(0.05)
    assert {"pre-migrating", "migrating", "finished"} <= seen
    # Nova never confirms by itself: VERIFY_RESIZE, allocations on both hosts
    time.sleep(1.2)
    assert status_of(adapter, server.uuid) == "VERIFY_RESIZE"
    assert len(providers_holding(adapter, server.uuid)) == 2
    # The source provider lists the migration as a consumer, the destination the server
    [migration] = adapter.migrations(server.uuid)
    on_source = provider_consumers(adapter, migration.source)
    assert migration.uuid in on_source and server.uuid not in on_source
    assert server.uuid in provider_consumers(adapter, migration.destination)
    adapter.confirm_resize(server.uuid)
    assert adapter.migrations(server.uuid)[0].status in ("confirming", "confirmed")
    sim.wait_idle()
    assert adapter.migrations(server.uuid)[0].status == "confirmed"
    assert status_of(adapter, server.uuid) == "ACTIVE"
    assert len(providers_holding(adapter, server.uuid)) == 1


def test_live_migration_starts_accepted_from_microversion_2_34(adapter, sim):
    server = a_server(sim)
    response = adapter.conn.compute.post(
        f"/servers/{server.uuid}/action",
        json={"os-migrateLive": {"host": None, "block_migration": "auto"}},
        microversion="2.34",
    )
    assert response.status_code == 202
    assert adapter.migrations(server.uuid)[0].status == "accepted"
    assert status_of(adapter, server.uuid) == "MIGRATING"
    sim.wait_idle()
    older = a_server(sim)
    adapter.live_migrate(older.uuid)  # openstacksdk asks at 2.30: synchronous, "preparing"
    assert adapter.migrations(older.uuid)[0].status in ("preparing", "running")
    sim.wait_idle()


def test_a_late_failure_is_explained_by_the_failed_instance_action(adapter, sim):
    server = a_server(sim)
    sim.inject_failure("resize", server.uuid, phase="complete", message=NO_HOST)
    adapter.resize(server.uuid, "m1.xlarge")  # accepted: 202
    sim.wait_idle()
    assert adapter.migrations(server.uuid)[0].status == "error"
    after = adapter.get_instance(server.uuid)
    assert (after.state, after.task_state, after.fault) == ("active", None, None)
    # As in Nova, the reason is written a moment after the migration turned "error"
    deadline = time.monotonic() + 5
    while adapter.last_error(server.uuid) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert adapter.last_error(server.uuid) == NO_HOST


def test_cold_migration_action_of_a_stopped_server_through_the_sdk(adapter, sim, fast_polls):
    server = a_server(sim)
    sim.stop_instance(server.uuid)
    sim.wait_idle()
    params = {"resource_id": server.uuid, "migration_type": "cold", "source_node": server.host}
    action = Migrate(params, adapter)
    action.before = action.snapshot()
    assert action.execute() is True
    after = adapter.get_instance(server.uuid)
    assert after.host != server.host and (after.state, after.task_state) == ("stopped", None)
    assert [m.status for m in adapter.migrations(server.uuid)] == ["confirmed"]
    assert len(providers_holding(adapter, server.uuid)) == 1


def test_live_migration_action_through_the_sdk(adapter, sim, fast_polls):
    server = a_server(sim)
    params = {"resource_id": server.uuid, "migration_type": "live", "source_node": server.host}
    action = Migrate(params, adapter)
    action.before = action.snapshot()
    assert action.execute() is True
    after = adapter.get_instance(server.uuid)
    assert after.host != server.host and (after.state, after.task_state) == ("active", None)


def test_resize_failing_late_gives_novas_reason_and_nothing_to_revert(adapter, sim, fast_polls):
    server = a_server(sim)
    sim.inject_failure("resize", server.uuid, phase="complete", message=NO_HOST)
    action = Resize({"resource_id": server.uuid, "flavor": "m1.xlarge"}, adapter)
    action.before = action.snapshot()
    with pytest.raises(ActionFailed) as failure:
        action.execute()
    assert "ended error: " + NO_HOST in str(failure.value)
    assert action.revert() == f"nothing to revert: server ACTIVE on {server.host}"
    assert len(providers_holding(adapter, server.uuid)) == 1


def test_revert_of_a_cold_migration_in_verify_resize_through_the_sdk(adapter, sim, fast_polls):
    server = a_server(sim)
    params = {"resource_id": server.uuid, "migration_type": "cold", "source_node": server.host}
    action = Migrate(params, adapter)
    action.before = action.snapshot()
    adapter.cold_migrate(server.uuid)
    sim.wait_idle()
    assert status_of(adapter, server.uuid) == "VERIFY_RESIZE"
    assert action.revert() == REVERTED
    after = adapter.get_instance(server.uuid)
    assert (after.host, after.state, after.task_state) == (server.host, "active", None)
    assert adapter.migrations(server.uuid)[0].status == "reverted"
    assert len(providers_holding(adapter, server.uuid)) == 1


def test_stop_action_waits_for_shutoff_through_the_sdk(adapter, sim, fast_polls):
    server = a_server(sim)
    assert Stop({"resource_id": server.uuid}, adapter).execute() is True
    assert status_of(adapter, server.uuid) == "SHUTOFF"
