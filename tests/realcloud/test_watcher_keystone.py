"""Keystone tokens in front of the Watcher API: keystonemiddleware validates them with the
tier's real Keystone, roles go through upstream's policy, and the API is in the catalog."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.support.client import ApiClient, fault


@pytest.fixture(scope="module")
def tokens(keystone, watcher_cloud) -> dict[str, str]:
    return {role: keystone.issue_token(a) for role, a in watcher_cloud.accounts.items()}


def _as(watcher_cloud, token: str | None) -> ApiClient:
    return ApiClient(watcher_cloud.base, headers={"X-Auth-Token": token} if token else {})


def test_the_api_registered_itself_in_the_catalog(keystone, watcher_cloud):
    services = keystone.request("GET", "/services?type=infra-optim")["services"]
    assert len(services) == 1
    endpoints = keystone.request("GET", f"/endpoints?service_id={services[0]['id']}")
    found = {e["interface"]: e["url"] for e in endpoints["endpoints"]}
    assert found == {"public": watcher_cloud.base, "internal": watcher_cloud.base}
    # Registering again (a restart) changes nothing
    assert "already at" in watcher_cloud.service.log() or "created" in watcher_cloud.service.log()


def test_an_admin_token_reads_and_writes(watcher_cloud, tokens):
    admin = _as(watcher_cloud, tokens["admin"])
    assert admin.get("/v1/goals").status_code == 200
    body = {"audit_type": "EVENT", "goal": "dummy", "name": f"ks-{uuid.uuid4().hex[:8]}"}
    created = admin.post("/v1/audits", body)
    assert created.status_code == 201, created.text
    assert admin.delete(f"/v1/audits/{created.json()['uuid']}").status_code in (204, 400)


@pytest.mark.parametrize("role", ["reader", "member"])
def test_readers_read_and_may_not_write(watcher_cloud, tokens, role):
    # member implies reader in Keystone, so both read
    client = _as(watcher_cloud, tokens[role])
    assert client.get("/v1/audits").status_code == 200
    refused = client.post("/v1/audits", {"audit_type": "EVENT", "goal": "dummy"})
    assert refused.status_code == 403
    assert fault(refused)["faultstring"] == "Policy doesn't allow audit:create to be performed."


def test_a_role_outside_the_policy_may_not_even_read(watcher_cloud, tokens):
    refused = _as(watcher_cloud, tokens["stranger"]).get("/v1/goals")
    assert refused.status_code == 403
    assert "goal:get_all" in fault(refused)["faultstring"]


@pytest.mark.parametrize("token", [None, "not-a-keystone-token", "gAAAAA" + "x" * 180])
def test_missing_or_invalid_tokens_are_401_with_watchers_body(keystone, watcher_cloud, token):
    response = _as(watcher_cloud, token).get("/v1/goals")
    assert response.status_code == 401
    assert fault(response)["faultcode"] == "Client"
    assert response.headers["WWW-Authenticate"] == f'Keystone uri="{keystone.url}"'


def test_version_discovery_stays_public(watcher_cloud):
    assert requests.get(watcher_cloud.base + "/", timeout=10).status_code == 200


def test_identity_headers_sent_by_a_client_are_not_believed(watcher_cloud):
    forged = {"X-Identity-Status": "Confirmed", "X-Roles": "admin", "X-Project-Id": "x"}
    response = ApiClient(watcher_cloud.base, headers=forged).post(
        "/v1/audits", {"audit_type": "EVENT", "goal": "dummy"}
    )
    assert response.status_code == 401


def test_a_service_token_triggers_webhooks_only(keystone, watcher_cloud, tokens):
    robot = keystone.create_user(f"alarm-{uuid.uuid4().hex[:6]}", "service", roles=["service"])
    service = _as(watcher_cloud, keystone.issue_token(robot))
    admin = _as(watcher_cloud, tokens["admin"])
    body = {"audit_type": "EVENT", "goal": "dummy", "name": f"hook-{uuid.uuid4().hex[:8]}"}
    audit = admin.post("/v1/audits", body).json()
    assert service.post(f"/v1/webhooks/{audit['uuid']}").status_code == 202
    assert service.post("/v1/audits", body).status_code == 403
