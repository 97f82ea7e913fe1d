"""Token authentication over HTTP, on API processes started with authentication on."""

from __future__ import annotations

import uuid

import pytest

from tests.support.client import ApiClient, fault
from tests.support.processes import start_api

pytestmark = pytest.mark.integration

ADMIN = f"admin-{uuid.uuid4().hex}"
READER = f"reader-{uuid.uuid4().hex}"


def _api(service_env, log_dir, webhooks_public: bool):
    env = {
        **service_env,
        "WATCHER_AUTH_ENABLED": "true",
        "WATCHER_AUTH_TOKENS": f"{ADMIN}:admin,{READER}:reader",
        "WATCHER_WEBHOOKS_PUBLIC": "true" if webhooks_public else "false",
    }
    return start_api(env, log_dir)


@pytest.fixture(scope="module")
def secured(service_env, log_dir):
    service, base = _api(service_env, log_dir, webhooks_public=False)
    yield service, base
    service.stop()


@pytest.fixture(scope="module")
def public_webhooks(service_env, log_dir):
    service, base = _api(service_env, log_dir, webhooks_public=True)
    yield base
    service.stop()


def _event_audit(base) -> dict:
    admin = ApiClient(base, headers={"X-Auth-Token": ADMIN})
    body = {"audit_type": "EVENT", "goal": "dummy", "name": f"auth-{uuid.uuid4().hex[:8]}"}
    response = admin.post("/v1/audits", body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("token", [None, "", "not-a-token", ADMIN + "x", ADMIN[:-1]])
def test_requests_without_a_valid_token_are_401(secured, token):
    _, base = secured
    headers = {} if token is None else {"X-Auth-Token": token}
    response = ApiClient(base, headers=headers).get("/v1/goals")
    assert response.status_code == 401
    assert "X-Auth-Token" in fault(response)["faultstring"]


def test_readers_read_and_are_403_on_every_write(secured):
    _, base = secured
    reader = ApiClient(base, headers={"X-Auth-Token": READER})
    assert reader.get("/v1/goals").status_code == 200
    audit = _event_audit(base)
    for response in (
        reader.post("/v1/audits", {"audit_type": "ONESHOT", "goal": "dummy"}),
        reader.patch(f"/v1/audits/{audit['uuid']}", []),
        reader.delete(f"/v1/audits/{audit['uuid']}"),
        reader.post(f"/v1/webhooks/{audit['uuid']}"),
    ):
        assert response.status_code == 403
        assert fault(response)["faultcode"] == "Client"
    assert reader.get(f"/v1/audits/{audit['uuid']}").json()["state"] == "PENDING"


def test_root_and_documentation_are_public(secured):
    _, base = secured
    anonymous = ApiClient(base)
    assert anonymous.get("/").status_code == 200
    assert anonymous.get("/openapi.json").status_code == 200
    assert anonymous.get("/docs").status_code == 200
    assert anonymous.get("/v1").status_code == 401


def test_webhooks_need_a_token_unless_made_public(secured, public_webhooks):
    _, base = secured
    audit = _event_audit(base)
    assert ApiClient(base).post(f"/v1/webhooks/{audit['uuid']}").status_code == 401
    assert ApiClient(public_webhooks).post(f"/v1/webhooks/{audit['uuid']}").status_code == 202
    # the rest of the API stays closed on the public-webhooks server
    assert ApiClient(public_webhooks).get("/v1/audits").status_code == 401


def test_tokens_never_reach_the_log(secured):
    service, base = secured
    ApiClient(base, headers={"X-Auth-Token": ADMIN}).get("/v1/goals")
    ApiClient(base, headers={"X-Auth-Token": READER}).post("/v1/audits", {})
    ApiClient(base, headers={"X-Auth-Token": "wrong-" + ADMIN}).get("/v1/goals")
    log = service.log()
    assert "GET /v1/goals" in log  # the access log is on
    assert ADMIN not in log and READER not in log
