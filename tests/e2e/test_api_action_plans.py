"""Action plans and actions over HTTP: PATCH of states, cascades on cancel and delete, skip."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from harness.rows import make_plan
from tests.support.client import ApiClient, fault
from watcher_celery.db import Action, ActionPlan, EfficacyIndicator, session_scope

pytestmark = pytest.mark.integration

V15 = {"OpenStack-API-Version": "infra-optim 1.5"}


@pytest.fixture()
def client(api) -> ApiClient:
    return ApiClient(api, headers=V15)


def _state(path, value):
    return [{"op": "replace", "path": path, "value": value}]


def _action_states(client, plan_uuid) -> list[str]:
    actions = client.get(f"/v1/actions?action_plan_uuid={plan_uuid}").json()["actions"]
    return [a["state"] for a in actions]


@pytest.mark.parametrize("plan_state", ["RECOMMENDED", "PENDING"])
def test_cancelling_a_plan_not_started_cancels_its_pending_actions(client, plan_state):
    _, plan, _ = make_plan(plan_state=plan_state, action_states=("PENDING", "SKIPPED"))
    response = client.patch(f"/v1/action_plans/{plan}", _state("/state", "CANCELLED"))
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "CANCELLED"
    assert _action_states(client, plan) == ["CANCELLED", "SKIPPED"]


def test_cancelling_a_running_plan_asks_the_applier_to_stop(client):
    _, plan, _ = make_plan(plan_state="ONGOING", action_states=("ONGOING", "PENDING"))
    response = client.patch(f"/v1/action_plans/{plan}", _state("/state", "CANCELLING"))
    assert response.json()["state"] == "CANCELLING"
    assert _action_states(client, plan) == ["ONGOING", "PENDING"]


@pytest.mark.parametrize(
    ("plan_state", "target", "says"),
    [
        ("SUCCEEDED", "PENDING", "State transition not allowed: (SUCCEEDED -> PENDING)"),
        ("RECOMMENDED", "ONGOING", "State transition not allowed: (RECOMMENDED -> ONGOING)"),
        ("RECOMMENDED", "DELETED", "State transition not allowed: (RECOMMENDED -> DELETED)"),
        ("ONGOING", "CANCELLED", "State transition not allowed: (ONGOING -> CANCELLED)"),
        ("RECOMMENDED", "SOON", "Invalid state 'SOON'"),
    ],
)
def test_forbidden_plan_patch_is_400_and_changes_nothing(client, plan_state, target, says):
    _, plan, _ = make_plan(plan_state=plan_state)
    response = client.patch(f"/v1/action_plans/{plan}", _state("/state", target))
    assert response.status_code == 400
    assert fault(response)["faultstring"] == says
    assert client.get(f"/v1/action_plans/{plan}").json()["state"] == plan_state


def test_plan_status_message_is_internal(client):
    _, plan, _ = make_plan()
    response = client.patch(f"/v1/action_plans/{plan}", _state("/status_message", "x"))
    assert response.status_code == 400


def test_delete_cascades_to_actions_and_indicators(client):
    _, plan, actions = make_plan(plan_state="SUCCEEDED", action_states=("SUCCEEDED", "SKIPPED"))
    with session_scope() as session:
        plan_id = session.scalar(select(ActionPlan.id).where(ActionPlan.uuid == plan))
        session.add(EfficacyIndicator(name="n", value=1.0, action_plan_id=plan_id))
    assert client.delete(f"/v1/action_plans/{plan}").status_code == 204
    assert client.get(f"/v1/action_plans/{plan}").status_code == 404
    assert client.get(f"/v1/actions/{actions[0]}").status_code == 404
    with session_scope() as session:
        rows = session.scalars(select(Action).where(Action.uuid.in_(actions))).all()
        assert {(r.state, r.deleted == r.id, r.deleted_at is not None) for r in rows} == {
            ("DELETED", True, True)
        }
        indicator = session.scalars(
            select(EfficacyIndicator).where(EfficacyIndicator.action_plan_id == plan_id)
        ).one()
        assert indicator.deleted_at is not None
    shown = client.get(f"/v1/action_plans/{plan}", headers={"X-Show-Deleted": "yes"})
    assert shown.json()["state"] == "DELETED"


@pytest.mark.parametrize("plan_state", ["PENDING", "ONGOING", "CANCELLING"])
def test_delete_of_an_unfinished_plan_is_400(client, plan_state):
    _, plan, _ = make_plan(plan_state=plan_state)
    response = client.delete(f"/v1/action_plans/{plan}")
    assert response.status_code == 400
    assert fault(response)["faultstring"] == f"Couldn't delete when state is '{plan_state}'."


def test_skip_needs_microversion_1_5(api):
    _, _, actions = make_plan()
    old = ApiClient(api, headers={"OpenStack-API-Version": "infra-optim 1.4"})
    response = old.patch(f"/v1/actions/{actions[0]}", _state("/state", "SKIPPED"))
    assert response.status_code == 400
    assert fault(response)["faultstring"] == "API microversion 1.5 or higher is required."
    assert "status_message" not in old.get(f"/v1/actions/{actions[0]}").json()


def test_skipping_a_pending_action_records_the_reason(client):
    _, _, actions = make_plan(plan_state="PENDING", action_states=("PENDING", "PENDING"))
    ops = _state("/state", "SKIPPED") + _state("/status_message", "not tonight")
    response = client.patch(f"/v1/actions/{actions[0]}", ops)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "SKIPPED"
    assert response.json()["status_message"] == "Action skipped by user. Reason: not tonight"
    plain = client.patch(f"/v1/actions/{actions[1]}", _state("/state", "SKIPPED"))
    assert plain.json()["status_message"] == "Action skipped by user."
    # the reason of a skipped action may be changed afterwards
    reason = client.patch(f"/v1/actions/{actions[1]}", _state("/status_message", "later"))
    assert reason.json()["status_message"] == "Action skipped by user. Reason: later"


@pytest.mark.parametrize(
    ("plan_state", "action_state", "ops"),
    [
        ("ONGOING", "PENDING", _state("/state", "SKIPPED")),
        ("RECOMMENDED", "SUCCEEDED", _state("/state", "SKIPPED")),
        ("RECOMMENDED", "PENDING", _state("/state", "FAILED")),
        ("RECOMMENDED", "PENDING", _state("/status_message", "why")),
    ],
)
def test_skip_rules_answer_409(client, plan_state, action_state, ops):
    _, _, actions = make_plan(plan_state=plan_state, action_states=(action_state,))
    response = client.patch(f"/v1/actions/{actions[0]}", ops)
    assert response.status_code == 409, response.text
    assert client.get(f"/v1/actions/{actions[0]}").json()["state"] == action_state


def test_action_patch_paths_other_than_state_and_message_are_400(client):
    _, _, actions = make_plan()
    response = client.patch(f"/v1/actions/{actions[0]}", _state("/action_type", "sleep"))
    assert response.status_code == 400


def test_actions_filter_by_audit_and_not_both(client):
    audit, plan, actions = make_plan(action_states=("PENDING", "PENDING"))
    by_audit = client.get(f"/v1/actions?audit_uuid={audit}").json()["actions"]
    assert [a["uuid"] for a in by_audit] == actions
    both = client.get(f"/v1/actions?audit_uuid={audit}&action_plan_uuid={plan}")
    assert both.status_code == 400


@pytest.mark.parametrize("key", ["audit_uuid", "action_plan_uuid"])
def test_actions_sort_by_the_uuid_of_their_plan_or_audit(client, key):
    made = [make_plan(action_states=("PENDING", "PENDING")) for _ in range(3)]
    mine = {a for _, _, actions in made for a in actions}
    owner = {
        a: (audit if key == "audit_uuid" else plan)
        for audit, plan, actions in made
        for a in actions
    }
    listed, url = [], f"{client.base}/v1/actions?sort_key={key}&sort_dir=desc&limit=500"
    while url:
        page = client.session.get(url, timeout=10).json()
        listed.extend(page["actions"])
        url = page.get("next")
    order = [owner[a["uuid"]] for a in listed if a["uuid"] in mine]
    assert len(order) == 6 and order == sorted(order, reverse=True)
