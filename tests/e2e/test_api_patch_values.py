"""Every patchable path of every resource, given a value of every JSON type: a 2xx or a 4xx
with Watcher's error body, never a 5xx (schemathesis cannot reach real objects by UUID)."""

from __future__ import annotations

import uuid

import pytest

from harness.rows import make_plan
from tests.support.client import ApiClient, fault

pytestmark = pytest.mark.integration

VALUES = [None, True, 0, -1, 10**20, 1.5, "", "text", "\u0000", [], [1], {}, {"a": 1}]
PATHS = {
    "audit_templates": (
        "/name",
        "/description",
        "/goal",
        "/strategy",
        "/scope",
        "/default_parameters",
    ),
    "audits": (
        "/name",
        "/state",
        "/interval",
        "/parameters",
        "/auto_trigger",
        "/force",
        "/start_time",
        "/end_time",
    ),
    "action_plans": ("/state",),
    "actions": ("/state", "/status_message"),
}


@pytest.fixture(scope="module")
def objects(api) -> dict[str, str]:
    client = ApiClient(api, headers={"OpenStack-API-Version": "infra-optim latest"})
    tag = uuid.uuid4().hex[:8]
    template = client.post(
        "/v1/audit_templates", {"name": f"pv-{tag}", "goal": "dummy", "strategy": "dummy"}
    ).json()
    audit = client.post(
        "/v1/audits",
        {"audit_type": "CONTINUOUS", "interval": "3600", "goal": "dummy", "strategy": "dummy"},
    ).json()
    _, plan, actions = make_plan(plan_state="SUCCEEDED", action_states=("SUCCEEDED",))
    return {
        "audit_templates": template["uuid"],
        "audits": audit["uuid"],
        "action_plans": plan,
        "actions": actions[0],
    }


@pytest.mark.parametrize(
    ("resource", "path"), [(r, p) for r, paths in PATHS.items() for p in paths]
)
@pytest.mark.parametrize("op", ["replace", "remove"])
def test_no_value_makes_a_patch_fail_on_the_server(api, objects, resource, path, op):
    client = ApiClient(api, headers={"OpenStack-API-Version": "infra-optim latest"})
    url = f"/v1/{resource}/{objects[resource]}"
    for value in VALUES if op == "replace" else [None]:
        body = [{"op": op, "path": path, "value": value}]
        response = client.patch(url, body)
        assert response.status_code < 500, (path, value, response.text)
        if response.status_code >= 400:
            assert fault(response)["faultcode"] == "Client"
