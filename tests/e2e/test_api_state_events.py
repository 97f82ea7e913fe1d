"""The operator's changes over HTTP report themselves as the services' do: each PATCH, cancel,
start, skip and DELETE writes its ``*.update`` events (old and new state) with the change; a
refused one writes none."""

from __future__ import annotations

import pytest

from harness.rows import make_plan
from tests.support.client import ApiClient
from tests.support.events import about, last_event_id, state_changes

pytestmark = pytest.mark.integration


@pytest.fixture()
def client(api) -> ApiClient:
    return ApiClient(api, headers={"OpenStack-API-Version": "infra-optim latest"})


def _state(value):
    return [{"op": "replace", "path": "/state", "value": value}]


def test_patching_an_audits_state_reports_each_change(client):
    audit, _, _ = make_plan(audit_state="PENDING", action_states=())
    mark = last_event_id()
    assert client.patch(f"/v1/audits/{audit}", _state("ONGOING")).status_code == 200
    assert client.patch(f"/v1/audits/{audit}", _state("CANCELLED")).status_code == 200
    assert client.delete(f"/v1/audits/{audit}").status_code == 204
    assert state_changes(audit, mark) == [
        ("audit.update", "PENDING", "ONGOING"),
        ("audit.update", "ONGOING", "CANCELLED"),
        ("audit.update", "CANCELLED", "DELETED"),
    ]


def test_a_refused_audit_patch_reports_nothing(client):
    audit, _, _ = make_plan(audit_state="PENDING", action_states=())
    mark = last_event_id()
    assert client.patch(f"/v1/audits/{audit}", _state("SUCCEEDED")).status_code == 400
    assert about(audit, mark) == []


def test_cancelling_a_plan_reports_the_plan_and_each_action_it_cancels(client):
    _, plan, actions = make_plan(action_states=("PENDING", "SKIPPED"))
    mark = last_event_id()
    response = client.patch(f"/v1/action_plans/{plan}", _state("CANCELLED"))
    assert response.status_code == 200, response.text
    assert state_changes(plan, mark) == [("action_plan.update", "RECOMMENDED", "CANCELLED")]
    assert state_changes(actions[0], mark) == [("action.update", "PENDING", "CANCELLED")]
    assert about(actions[1], mark) == []


def test_starting_skipping_and_deleting_are_reported(client):
    _, plan, actions = make_plan(action_states=("PENDING", "PENDING"))
    mark = last_event_id()
    skip = [{"op": "replace", "path": "/state", "value": "SKIPPED"}]
    assert client.patch(f"/v1/actions/{actions[1]}", skip).status_code == 200
    assert client.post(f"/v1/action_plans/{plan}/start").status_code == 200
    assert state_changes(actions[1], mark) == [("action.update", "PENDING", "SKIPPED")]
    # (a worker of this run may launch the started plan at once: only its start is ours)
    assert state_changes(plan, mark)[0] == ("action_plan.update", "RECOMMENDED", "PENDING")
    _, done, finished = make_plan(plan_state="SUCCEEDED", action_states=("SUCCEEDED",))
    assert client.delete(f"/v1/action_plans/{done}").status_code == 204
    assert state_changes(done, mark) == [("action_plan.update", "SUCCEEDED", "DELETED")]
    assert state_changes(finished[0], mark) == [("action.update", "SUCCEEDED", "DELETED")]
