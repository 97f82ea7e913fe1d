"""The emulator's HTTP contract where clients depend on it: tokens and microversions."""

from __future__ import annotations

import pytest
import requests

from watcher_celery.cloud.emulator import serve
from watcher_celery.cloud.simulated import SimulatedCloud


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    sim = SimulatedCloud.create(tmp_path_factory.mktemp("e") / "c.sqlite", 2, 4, 10)
    server, url = serve(sim)
    auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "password": "x", "domain": {"name": "Default"}}}}}}  # fmt: skip
    token = requests.post(f"{url}/identity/v3/auth/tokens", json=auth, timeout=5)
    assert token.status_code == 201
    catalog = {s["type"]: s for s in token.json()["token"]["catalog"]}
    assert {"compute", "placement", "block-storage", "baremetal"} <= set(catalog)
    yield sim, url, token.headers["X-Subject-Token"]
    server.shutdown()


def get(url, token, path, version=None):
    headers = {"X-Auth-Token": token}
    if version:
        headers["OpenStack-API-Version"] = f"compute {version}"
    return requests.get(f"{url}/compute/v2.1{path}", headers=headers, timeout=5)


def test_requests_without_a_token_are_refused(api):
    _, url, _ = api
    assert requests.get(f"{url}/compute/v2.1/servers", timeout=5).status_code == 401


def test_server_flavor_follows_the_microversion(api):
    _, url, token = api
    old = get(url, token, "/servers/detail", "2.1").json()["servers"][0]
    new = get(url, token, "/servers/detail", "2.47")
    assert set(old["flavor"]) == {"id", "links"} and "locked" not in old
    assert new.headers["OpenStack-API-Version"] == "compute 2.47"
    assert {"vcpus", "ram", "original_name"} <= set(new.json()["servers"][0]["flavor"])


def test_hypervisor_ids_and_capacities_follow_the_microversion(api):
    sim, url, token = api
    old = get(url, token, "/os-hypervisors/detail", "2.52").json()["hypervisors"][0]
    new = get(url, token, "/os-hypervisors/detail", "2.88").json()["hypervisors"][0]
    assert old["id"] == 1 and old["vcpus"] == sim.compute_nodes()[0].vcpus
    assert new["id"] == sim.compute_nodes()[0].uuid and "vcpus" not in new


def test_cold_migration_to_a_host_needs_2_56(api):
    sim, url, token = api
    inst = next(i for i in sim.instances() if i.state == "active")
    other = next(n.hostname for n in sim.compute_nodes() if n.hostname != inst.host)
    answer = requests.post(
        f"{url}/compute/v2.1/servers/{inst.uuid}/action",
        json={"migrate": {"host": other}},
        headers={"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.55"},
        timeout=5,
    )
    assert answer.status_code == 400 and "2.56" in answer.json()["badRequest"]["message"]
    assert sim.migrations(inst.uuid) == []


def test_servers_are_paged_like_nova(api):
    _, url, token = api
    first = get(url, token, "/servers/detail?limit=4", "2.47").json()
    assert len(first["servers"]) == 4 and first["servers_links"][0]["rel"] == "next"
    rest = requests.get(
        first["servers_links"][0]["href"], headers={"X-Auth-Token": token}, timeout=5
    ).json()
    assert {s["id"] for s in rest["servers"]}.isdisjoint({s["id"] for s in first["servers"]})
