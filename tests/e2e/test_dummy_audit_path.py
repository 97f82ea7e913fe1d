"""The walking skeleton, the way an operator drives it: HTTP → decision engine → applier.

Real API process (gunicorn), real Celery worker process, Redis broker and result backend,
PostgreSQL.
"""

from __future__ import annotations

import pytest

from tests.support.client import ApiClient

pytestmark = pytest.mark.integration

TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


@pytest.fixture()
def client(api, worker) -> ApiClient:
    return ApiClient(api)


def test_dummy_audit_runs_to_a_succeeded_plan(client):
    # Given the dummy goal, When an operator creates a ONESHOT audit
    created = client.post("/v1/audits", {"audit_type": "ONESHOT", "goal": "dummy"})
    assert created.status_code == 201, created.text
    audit = created.json()
    assert audit["state"] == "PENDING"
    assert created.headers["Location"].endswith(f"/v1/audits/{audit['uuid']}")
    assert audit["parameters"] == {}

    # Then the decision engine produces a RECOMMENDED plan and the audit SUCCEEDED
    done = client.wait_state(f"/v1/audits/{audit['uuid']}", TERMINAL)
    assert done["state"] == "SUCCEEDED"
    assert done["strategy_name"] == "dummy"
    assert done["parameters"] == {"para1": 3.2, "para2": "hello"}
    plans = client.get(f"/v1/action_plans?audit_uuid={audit['uuid']}").json()["action_plans"]
    assert len(plans) == 1
    plan = plans[0]
    assert plan["state"] == "RECOMMENDED"
    assert plan["strategy_name"] == "dummy"

    # And its actions are nop → nop → sleep, each the parent of the next
    actions = client.get(f"/v1/actions/detail?action_plan_uuid={plan['uuid']}").json()["actions"]
    assert [a["action_type"] for a in actions] == ["nop", "nop", "sleep"]
    assert [a["state"] for a in actions] == ["PENDING"] * 3
    assert actions[0]["parents"] == []
    assert actions[1]["parents"] == [actions[0]["uuid"]]
    assert actions[2]["parents"] == [actions[1]["uuid"]]
    assert actions[0]["input_parameters"] == {"message": "hello World"}
    assert actions[1]["input_parameters"] == {"message": "hello"}
    assert actions[2]["input_parameters"] == {"duration": 3.2}
    assert actions[0]["description"] == "Logging a NOP message"

    # When the operator starts the plan
    started = client.post(f"/v1/action_plans/{plan['uuid']}/start")
    assert started.status_code == 200, started.text
    assert started.json()["state"] in {"PENDING", "ONGOING"}

    # Then it runs through ONGOING to SUCCEEDED, every action SUCCEEDED
    ongoing = client.wait_state(f"/v1/action_plans/{plan['uuid']}", {"ONGOING"} | TERMINAL)
    assert ongoing["state"] == "ONGOING"
    finished = client.wait_state(f"/v1/action_plans/{plan['uuid']}", TERMINAL)
    assert finished["state"] == "SUCCEEDED"
    actions = client.get(f"/v1/actions?action_plan_uuid={plan['uuid']}").json()["actions"]
    assert [a["state"] for a in actions] == ["SUCCEEDED"] * 3
    assert client.get(f"/v1/audits/{audit['uuid']}").json()["state"] == "SUCCEEDED"

    # And a plan cannot be started twice
    again = client.post(f"/v1/action_plans/{plan['uuid']}/start")
    assert again.status_code == 400
    assert "SUCCEEDED" in again.json()["error_message"]


def test_audit_parameters_are_validated_and_defaults_filled(client):
    created = client.post(
        "/v1/audits",
        {"audit_type": "ONESHOT", "goal": "dummy", "strategy": "dummy", "parameters": {"para1": 2}},
    )
    assert created.status_code == 201, created.text
    assert created.json()["parameters"] == {"para1": 2, "para2": "hello"}
    done = client.wait_state(f"/v1/audits/{created.json()['uuid']}", TERMINAL)
    assert done["state"] == "SUCCEEDED"
