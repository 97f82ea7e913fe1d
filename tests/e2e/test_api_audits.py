"""Audits over HTTP: JSON-patch of state and fields through states.py, DELETE rules."""

from __future__ import annotations

import uuid

import pytest

from tests.support.client import ApiClient, fault

pytestmark = pytest.mark.integration


@pytest.fixture()
def client(api) -> ApiClient:
    return ApiClient(api, headers={"OpenStack-API-Version": "infra-optim latest"})


def _audit(client, **body) -> dict:
    body = {"audit_type": "EVENT", "goal": "dummy", "name": f"a-{uuid.uuid4().hex[:8]}", **body}
    response = client.post("/v1/audits", body)
    assert response.status_code == 201, response.text
    return response.json()


def _patch(client, audit, *ops):
    return client.patch(f"/v1/audits/{audit['uuid']}", list(ops))


def _replace(path, value):
    return {"op": "replace", "path": path, "value": value}


def test_state_changes_follow_the_transition_table(client):
    audit = _audit(client)
    refused = _patch(client, audit, _replace("/state", "SUCCEEDED"))
    assert refused.status_code == 400
    assert fault(refused)["faultstring"] == "State transition not allowed: (PENDING -> SUCCEEDED)"
    assert _patch(client, audit, _replace("/state", "ONGOING")).json()["state"] == "ONGOING"
    assert _patch(client, audit, _replace("/state", "SUSPENDED")).json()["state"] == "SUSPENDED"
    assert _patch(client, audit, _replace("/state", "ONGOING")).json()["state"] == "ONGOING"
    assert _patch(client, audit, _replace("/state", "CANCELLED")).json()["state"] == "CANCELLED"


@pytest.mark.parametrize(
    ("ops", "says"),
    [
        ([_replace("/state", "NAPPING")], "Invalid state"),
        ([_replace("/state", "DELETED")], "DELETE"),
        ([{"op": "remove", "path": "/state"}], "can not be removed"),
        ([_replace("/audit_type", "ONESHOT")], "audit_type"),
        ([_replace("/uuid", "x")], "internal"),
        ([_replace("/interval", "60")], "Interval"),
        ([_replace("/parameters", {"para1": 2})], "strategy"),
        ([_replace("/auto_trigger", "yes")], "auto_trigger"),
        ([_replace("/end_time", "tomorrow")], "end_time"),
        ([{"op": "add", "path": "/colour", "value": 1}], "colour"),
        ([{"op": "replace", "path": "bad path", "value": 1}], "path"),
    ],
)
def test_bad_patches_are_400_and_change_nothing(client, ops, says):
    audit = _audit(client)
    response = _patch(client, audit, *ops)
    assert response.status_code == 400, response.text
    assert says in fault(response)["faultstring"]
    after = client.get(f"/v1/audits/{audit['uuid']}").json()
    assert after == {**audit, "links": after["links"]}


def test_continuous_audit_interval_and_parameters_are_revalidated(client):
    audit = _audit(client, audit_type="CONTINUOUS", interval="60", strategy="dummy")
    changed = _patch(
        client, audit, _replace("/interval", "*/5 * * * *"), _replace("/parameters", {"para1": 5})
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["interval"] == "*/5 * * * *"
    assert changed.json()["parameters"] == {"para1": 5, "para2": "hello"}
    assert _patch(client, audit, _replace("/interval", "every day")).status_code == 400
    assert _patch(client, audit, {"op": "remove", "path": "/interval"}).status_code == 400
    end = _patch(client, audit, _replace("/end_time", "2030-01-01T00:00:00+02:00"))
    assert end.json()["end_time"] == "2029-12-31T22:00:00+00:00"


def test_name_clash_on_patch_is_409(client):
    first, second = _audit(client), _audit(client)
    response = _patch(client, second, _replace("/name", first["name"]))
    assert response.status_code == 409


def test_delete_only_from_finished_states_and_soft(client):
    audit = _audit(client)
    refused = client.delete(f"/v1/audits/{audit['uuid']}")
    assert refused.status_code == 400
    assert fault(refused)["faultstring"] == "Couldn't delete when state is 'PENDING'."
    _patch(client, audit, _replace("/state", "CANCELLED"))
    assert client.delete(f"/v1/audits/{audit['name']}").status_code == 204
    assert client.get(f"/v1/audits/{audit['uuid']}").status_code == 404
    hidden = client.get("/v1/audits?limit=1000").json()["audits"]
    assert all(a["uuid"] != audit["uuid"] for a in hidden)
    listed = client.get("/v1/audits?limit=1000", headers={"X-Show-Deleted": "true"}).json()
    assert audit["uuid"] in {a["uuid"] for a in listed["audits"]}
    shown = client.get(f"/v1/audits/{audit['uuid']}", headers={"X-Show-Deleted": "true"}).json()
    assert shown["state"] == "DELETED" and shown["deleted_at"]
    # the name is free again
    assert _audit(client, name=audit["name"])["name"] == audit["name"]


@pytest.mark.parametrize(
    ("version", "hidden"),
    [("1.0", {"start_time", "end_time", "force", "status_message"}), ("1.4", {"status_message"})],
)
def test_fields_added_later_are_hidden_at_older_versions(api, client, version, hidden):
    audit = _audit(client)
    old = ApiClient(api, headers={"OpenStack-API-Version": f"infra-optim {version}"})
    shown = old.get(f"/v1/audits/{audit['uuid']}")
    assert shown.headers["OpenStack-API-Version"] == f"infra-optim {version}"
    assert hidden.isdisjoint(shown.json())
    assert hidden <= set(client.get(f"/v1/audits/{audit['uuid']}").json())


def test_start_and_end_time_before_1_1_is_406(api):
    old = ApiClient(api)
    response = old.post(
        "/v1/audits",
        {
            "audit_type": "CONTINUOUS",
            "goal": "dummy",
            "interval": "60",
            "start_time": "2030-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 406
    assert "1.1" in fault(response)["faultstring"]
