"""Static-token authentication and upstream's policy over HTTP, on API processes started with
authentication on (the Keystone flavour is tests/realcloud)."""

from __future__ import annotations

import uuid

import pytest

from harness.processes import start_api
from tests.support.client import ApiClient, fault

pytestmark = pytest.mark.integration

ADMIN = f"admin-{uuid.uuid4().hex}"
READER = f"reader-{uuid.uuid4().hex}"
SERVICE = f"service-{uuid.uuid4().hex}"


def _api(service_env, log_dir, webhooks_public: bool, **extra: str):
    env = {
        **service_env,
        "WATCHER_AUTH": "tokens",
        "WATCHER_AUTH_TOKENS": f"{ADMIN}:admin,{READER}:reader,{SERVICE}:service",
        "WATCHER_WEBHOOKS_PUBLIC": "true" if webhooks_public else "false",
        **extra,
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


@pytest.mark.parametrize(
    ("method", "path", "rule"),
    [
        ("post", "/v1/audits", "audit:create"),
        ("patch", "/v1/audits/{audit}", "audit:update"),
        ("delete", "/v1/audits/{audit}", "audit:delete"),
        ("post", "/v1/action_plans/{plan}/start", "action_plan:start"),
        ("patch", "/v1/action_plans/{plan}", "action_plan:update"),
        ("delete", "/v1/audit_templates/{audit}", "audit_template:delete"),
        ("post", "/v1/webhooks/{audit}", "webhook:trigger"),
    ],
)
def test_a_refusal_names_upstreams_policy_rule(secured, method, path, rule):
    _, base = secured
    reader = ApiClient(base, headers={"X-Auth-Token": READER})
    url = path.format(audit=uuid.uuid4(), plan=uuid.uuid4())
    if method == "delete":
        response = reader.delete(url)
    else:
        response = getattr(reader, method)(url, [] if method == "patch" else None)
    assert response.status_code == 403
    assert fault(response)["faultstring"] == f"Policy doesn't allow {rule} to be performed."


def test_the_service_role_may_trigger_webhooks_and_nothing_else(secured):
    _, base = secured
    audit = _event_audit(base)
    service = ApiClient(base, headers={"X-Auth-Token": SERVICE})
    assert service.post(f"/v1/webhooks/{audit['uuid']}").status_code == 202
    assert service.get("/v1/audits").status_code == 403
    assert service.post("/v1/audits", {"audit_type": "EVENT", "goal": "dummy"}).status_code == 403


def test_an_operator_policy_file_overrides_the_defaults(service_env, log_dir, tmp_path):
    # Given a policy file letting readers create audits and nobody start a plan
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text('"audit:create": "role:reader"\n"action_plan:start": "!"\n')
    service, base = _api(service_env, log_dir, False, WATCHER_POLICY_FILE=str(policy_file))
    try:
        reader = ApiClient(base, headers={"X-Auth-Token": READER})
        admin = ApiClient(base, headers={"X-Auth-Token": ADMIN})
        body = {"audit_type": "EVENT", "goal": "dummy", "name": f"pol-{uuid.uuid4().hex[:8]}"}
        # Then the reader creates, but still may not delete (the default rule)
        created = reader.post("/v1/audits", body)
        assert created.status_code == 201, created.text
        assert reader.delete(f"/v1/audits/{created.json()['uuid']}").status_code == 403
        # And even an admin may not start a plan
        refused = admin.post(f"/v1/action_plans/{uuid.uuid4()}/start")
        assert refused.status_code == 403
        assert "action_plan:start" in fault(refused)["faultstring"]
    finally:
        service.stop()


def test_a_broken_policy_file_stops_the_api(service_env, log_dir, tmp_path):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text('"audit:create": [unclosed\n')
    with pytest.raises(RuntimeError, match="exited early"):
        _api(service_env, log_dir, False, WATCHER_POLICY_FILE=str(policy_file))


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
