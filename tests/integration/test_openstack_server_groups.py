"""Server groups through openstacksdk: the adapter reads Nova's os-server-groups as the
emulator serves it (paged by offset, every project, the policy by microversion)."""

from __future__ import annotations

import time

import pytest
import requests

from watcher_celery.cloud.emulator.keystone import PROJECT_ID
from watcher_celery.cloud.openstack import GROUPS_PAGE
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.decision_engine.collector import collect
from watcher_celery.errors import CloudError
from watcher_celery.model import ServerGroup

EMPTY_GROUPS = GROUPS_PAGE + 4  # more than one of Nova's pages


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    cloud = SimulatedCloud.create(
        tmp_path_factory.mktemp("sg") / "cloud.sqlite", seed=17, hosts=10, instances=40
    )
    cloud.set_op_seconds(0.05)
    active = [i for i in cloud.instances() if i.state == "active" and i.host]
    first = active[0]
    apart = [i for i in active if i.host != first.host]
    cloud.add_server_group(
        ServerGroup("a0000000-0000-4000-8000-000000000001", "spread", "anti-affinity",
                    (first.uuid, apart[0].uuid), "p-web")
    )  # fmt: skip
    cloud.add_server_group(
        ServerGroup("a0000000-0000-4000-8000-000000000002", "mine", "soft-affinity",
                    (apart[1].uuid,), PROJECT_ID)
    )  # fmt: skip
    for n in range(EMPTY_GROUPS):
        cloud.add_server_group(
            ServerGroup(f"b0000000-0000-4000-8000-{n:012d}", f"empty{n}", "affinity", (), "p-x")
        )
    yield cloud
    cloud.close()


def test_every_group_of_every_project_is_read_across_pages(adapter, sim):
    got = sorted(adapter.server_groups(), key=lambda g: g.uuid)
    want = sorted(sim.server_groups(), key=lambda g: g.uuid)
    assert len(got) == EMPTY_GROUPS + 2 > GROUPS_PAGE
    assert got == want
    assert got[0].policy == "anti-affinity" and len(got[0].members) == 2


def test_the_model_built_through_the_sdk_has_the_groups(adapter, sim):
    model = collect(adapter, [])
    anti = model.server_groups["a0000000-0000-4000-8000-000000000001"]
    assert model.group_of(anti.members[1]) is anti
    assert len(model.server_groups) == len(sim.server_groups())


def _token(url: str) -> str:
    auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "password": "x", "domain": {"name": "Default"}}}}}}  # fmt: skip
    return requests.post(f"{url}/identity/v3/auth/tokens", json=auth, timeout=5).headers[
        "X-Subject-Token"
    ]


def _groups(url: str, query: str, version: str) -> requests.Response:
    headers = {"X-Auth-Token": _token(url), "OpenStack-API-Version": f"compute {version}"}
    return requests.get(f"{url}/compute/v2.1/os-server-groups{query}", headers=headers, timeout=5)


def test_the_emulator_answers_as_nova(emulator):
    # Without all_projects, only the token's project; the policy is a list before 2.64
    own = _groups(emulator, "", "2.63").json()["server_groups"]
    assert [g["name"] for g in own] == ["mine"] and own[0]["policies"] == ["soft-affinity"]
    assert "policy" not in own[0] and own[0]["metadata"] == {}
    # every project's, paged by limit and offset, one policy string from 2.64, the fields
    # real Nova 34 shows there (no metadata)
    page = _groups(emulator, "?all_projects=True&limit=2&offset=1", "2.64").json()
    assert [g["name"] for g in page["server_groups"]] == ["mine", "empty0"]
    assert (
        page["server_groups"][0]["policy"] == "soft-affinity" and "server_groups_links" not in page
    )
    assert set(page["server_groups"][0]) == {
        "id", "name", "policy", "rules", "members", "project_id", "user_id"
    }  # fmt: skip
    assert _groups(emulator, "?all_projects=True&limit=x", "2.64").status_code == 400
    # Nova reads the key all_projects, whatever its value
    every = _groups(emulator, "?all_projects=False&limit=2", "2.64").json()["server_groups"]
    assert [g["name"] for g in every] == ["spread", "mine"]


NO_HOST = "No valid host was found. "


def test_a_migration_breaking_anti_affinity_is_refused_as_real_nova_refuses_it(adapter, sim):
    anti = next(g for g in sim.server_groups() if g.policy == "anti-affinity")
    first, second = (sim.get_instance(m) for m in anti.members)
    # A live migration (openstacksdk asks at 2.30): refused at once, 400
    with pytest.raises(CloudError, match=NO_HOST + "There are not enough hosts available."):
        adapter.live_migrate(first.uuid, second.host)
    assert sim.get_instance(first.uuid).host == first.host
    # A cold migration: accepted, then the migration ends error with the conductor's reason
    adapter.cold_migrate(first.uuid, second.host)
    sim.wait_idle()
    assert [m.status for m in adapter.migrations(first.uuid)] == ["error"]
    after = adapter.get_instance(first.uuid)
    assert (after.host, after.state, after.task_state) == (first.host, "active", None)
    deadline = time.monotonic() + 5
    while adapter.last_error(first.uuid) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert adapter.last_error(first.uuid) == NO_HOST + "No valid host found for cold migrate"
