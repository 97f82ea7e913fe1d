"""Bad input on the skeleton's endpoints: a 4xx with Watcher's error body, nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.client import ApiClient, fault
from watcher_celery.db import Action, ActionPlan, Audit, session_scope

pytestmark = pytest.mark.integration


@pytest.fixture()
def client(api) -> ApiClient:
    return ApiClient(api)


def _counts() -> tuple[int, int, int]:
    with session_scope() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Audit, ActionPlan, Action)
        )


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"audit_type": "ONESHOT", "goal": "no_such_goal"}, 404, "no_such_goal"),
        ({"audit_type": "SOMETIMES", "goal": "dummy"}, 400, "audit_type"),
        ({"goal": "dummy"}, 400, "audit_type"),
        ({"audit_type": "ONESHOT"}, 400, "goal"),
        ({"audit_type": "ONESHOT", "goal": "dummy", "interval": "10"}, 400, "Interval"),
        ({"audit_type": "CONTINUOUS", "goal": "dummy"}, 400, "Interval"),
        ({"audit_type": "CONTINUOUS", "goal": "dummy", "interval": "*/99 * *"}, 400, "cron"),
        ({"audit_type": "ONESHOT", "goal": "dummy", "state": "SUCCEEDED"}, 400, "read only"),
        ({"audit_type": "ONESHOT", "goal": "dummy", "colour": "blue"}, 400, "colour"),
        ({"audit_type": "ONESHOT", "goal": "dummy", "strategy": "nope"}, 404, "nope"),
        (
            {
                "audit_type": "ONESHOT",
                "goal": "dummy",
                "strategy": "dummy",
                "parameters": {"para1": "x"},
            },
            400,
            "para1",
        ),
        (
            {"audit_type": "ONESHOT", "goal": "dummy", "parameters": {"para1": 2}},
            400,
            "no predefined strategy",
        ),
        (
            {"audit_type": "ONESHOT", "goal": "server_consolidation", "strategy": "dummy"},
            400,
            "does not achieve",
        ),
    ],
)
def test_invalid_audit_is_refused_and_nothing_is_written(client, body, status, says):
    before = _counts()
    response = client.post("/v1/audits", body)
    assert response.status_code == status, response.text
    error = fault(response)
    assert error["faultcode"] == "Client"
    assert says in error["faultstring"]
    assert _counts() == before


def test_malformed_json_is_a_400(client):
    before = _counts()
    response = client.session.post(
        client.base + "/v1/audits",
        data=b'{"audit_type": "ONESHOT", "goal": ',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert fault(response)["faultstring"]
    assert _counts() == before


def test_json_that_is_not_an_object_is_a_400(client):
    response = client.post("/v1/audits", ["ONESHOT"])
    assert response.status_code == 400
    assert fault(response)["faultcode"] == "Client"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/action_plans/6b1d6f0e-8e45-4a3c-9a57-3f0f7f4f7b11",
        "/v1/action_plans/not-a-uuid",
        "/v1/audits/6b1d6f0e-8e45-4a3c-9a57-3f0f7f4f7b11",
        "/v1/actions/6b1d6f0e-8e45-4a3c-9a57-3f0f7f4f7b11",
        "/v1/goals/nothing-by-that-name",
    ],
)
def test_unknown_object_is_a_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "could not be found" in fault(response)["faultstring"]


def test_starting_an_unknown_plan_is_a_404_and_writes_nothing(client):
    before = _counts()
    response = client.post("/v1/action_plans/6b1d6f0e-8e45-4a3c-9a57-3f0f7f4f7b11/start")
    assert response.status_code == 404
    assert fault(response)["faultcode"] == "Client"
    assert _counts() == before


def test_unknown_route_is_a_404_with_the_error_body(client):
    response = client.get("/v1/nowhere")
    assert response.status_code == 404
    assert fault(response)["faultstring"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v1/audit_templates", {"name": "nul\u0000name", "goal": "dummy"}),
        ("post", "/v1/audit_templates", {"name": "x", "goal": "\ud850 lone surrogate"}),
        ("get", "/v1/audits?goal=nul%00goal", None),
        ("get", "/v1/strategies/detail?marker=%00", None),
        ("post", "/v1/audits", {"audit_type": "ONESHOT", "goal": "dummy", "name": "\u0000"}),
    ],
)
def test_values_the_database_cannot_store_are_a_400(client, method, path, body):
    before = _counts()
    response = getattr(client, method)(path, body) if body else client.get(path)
    assert response.status_code in (400, 404), response.text
    assert fault(response)["faultcode"] == "Client"
    assert _counts() == before


def test_service_id_beyond_the_column_range_is_a_404(client):
    assert client.get("/v1/services/999999999999999999999999999999").status_code == 404
