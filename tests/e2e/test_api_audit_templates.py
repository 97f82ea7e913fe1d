"""Audit templates over HTTP: create, list, show, JSON-patch, delete and every refusal."""

from __future__ import annotations

import uuid

import pytest

from tests.support.client import ApiClient, fault

pytestmark = pytest.mark.integration

V17 = {"OpenStack-API-Version": "infra-optim 1.7"}


@pytest.fixture()
def client(api) -> ApiClient:
    return ApiClient(api, headers=V17)


def _name() -> str:
    return f"tpl-{uuid.uuid4().hex[:8]}"


def _create(client, **body):
    body = {"name": _name(), "goal": "dummy", **body}
    response = client.post("/v1/audit_templates", body)
    assert response.status_code == 201, response.text
    return response


def test_template_is_created_with_location_and_found_by_uuid_or_name(client):
    # Given a template with a strategy, scope and default parameters
    response = _create(
        client,
        strategy="dummy",
        description="nightly",
        scope=[{"availability_zones": [{"name": "az1"}]}],
        default_parameters={"para1": 2.0},
    )
    template = response.json()
    # Then Location names it and the bare rule list became the compute section
    assert response.headers["Location"].endswith(f"/v1/audit_templates/{template['uuid']}")
    assert template["scope"] == [{"compute": [{"availability_zones": [{"name": "az1"}]}]}]
    assert template["default_parameters"] == {"para1": 2.0}  # stored as given, no defaults
    assert template["strategy_name"] == "dummy" and template["goal_name"] == "dummy"
    by_name = client.get(f"/v1/audit_templates/{template['name']}").json()
    assert by_name["uuid"] == template["uuid"]
    assert by_name["links"][0]["href"].endswith(f"/v1/audit_templates/{template['uuid']}")


def test_list_hides_detail_fields_and_filters_by_goal(client):
    template = _create(client, strategy="dummy").json()
    listed = client.get("/v1/audit_templates?goal=dummy").json()["audit_templates"]
    mine = [t for t in listed if t["uuid"] == template["uuid"]]
    assert mine and "description" not in mine[0] and "default_parameters" not in mine[0]
    detailed = client.get("/v1/audit_templates/detail?strategy=dummy").json()
    assert any(
        t["uuid"] == template["uuid"] and "description" in t for t in detailed["audit_templates"]
    )
    other = client.get("/v1/audit_templates?goal=server_consolidation").json()
    assert all(t["uuid"] != template["uuid"] for t in other["audit_templates"])


def test_default_parameters_need_microversion_1_7(api):
    old = ApiClient(api, headers={"OpenStack-API-Version": "infra-optim 1.6"})
    response = old.post(
        "/v1/audit_templates",
        {"name": _name(), "goal": "dummy", "strategy": "dummy", "default_parameters": {}},
    )
    assert response.status_code == 406, response.text
    template = _create(ApiClient(api, headers=V17), strategy="dummy").json()
    assert "default_parameters" not in old.get(f"/v1/audit_templates/{template['uuid']}").json()


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"goal": "nope"}, 404, "nope"),
        ({"strategy": "nope"}, 404, "nope"),
        ({"goal": "server_consolidation", "strategy": "dummy"}, 400, "does not achieve"),
        ({"default_parameters": {"para1": 2}}, 400, "need a strategy"),
        ({"strategy": "dummy", "default_parameters": {"bogus": 1}}, 400, "bogus"),
        ({"scope": [{"compute": [{"zones": []}]}]}, 400, "scope"),
        (
            {
                "scope": [
                    {"host_aggregates": [{"id": 1}]},
                    {"exclude": [{"host_aggregates": [{"id": 2}]}]},
                ]
            },
            400,
            "included and excluded",
        ),
        ({"scope": [{"host_aggregates": [{"id": "*"}, {"id": 3}]}]}, 400, "'*'"),
        ({"name": ""}, 400, "name"),
    ],
)
def test_invalid_template_is_refused(client, body, status, says):
    response = client.post("/v1/audit_templates", {"name": _name(), "goal": "dummy", **body})
    assert response.status_code == status, response.text
    assert says in fault(response)["faultstring"]


def test_duplicate_live_name_is_409_and_free_again_after_delete(client):
    template = _create(client).json()
    again = client.post("/v1/audit_templates", {"name": template["name"], "goal": "dummy"})
    assert again.status_code == 409
    assert client.delete(f"/v1/audit_templates/{template['name']}").status_code == 204
    assert client.get(f"/v1/audit_templates/{template['uuid']}").status_code == 404
    shown = client.get(f"/v1/audit_templates/{template['uuid']}", headers={"X-Show-Deleted": "1"})
    assert shown.status_code == 200 and shown.json()["deleted_at"]
    assert (
        client.post("/v1/audit_templates", {"name": template["name"], "goal": "dummy"}).status_code
        == 201
    )


def test_patch_changes_fields_and_guards_goal_strategy_and_parameters(client):
    template = _create(client, strategy="dummy", default_parameters={"para1": 2.0}).json()
    path = f"/v1/audit_templates/{template['uuid']}"
    # When the description and scope are patched, Then both change
    patched = client.patch(
        path,
        [
            {"op": "replace", "path": "/description", "value": "changed"},
            {"op": "replace", "path": "/scope", "value": [{"compute": []}]},
        ],
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["description"] == "changed"
    assert patched.json()["scope"] == [{"compute": []}]
    # Removing the goal, or retargeting without new default parameters, is refused
    assert client.patch(path, [{"op": "remove", "path": "/goal"}]).status_code == 400
    retarget = client.patch(path, [{"op": "remove", "path": "/strategy"}])
    assert retarget.status_code == 409
    # Retargeting with new parameters works; parameters invalid for the strategy do not
    both = client.patch(
        path,
        [
            {"op": "remove", "path": "/strategy"},
            {"op": "replace", "path": "/default_parameters", "value": None},
        ],
    )
    assert both.status_code == 200, both.text
    assert both.json()["strategy_uuid"] is None
    bad = client.patch(
        path,
        [
            {"op": "replace", "path": "/strategy", "value": "dummy"},
            {"op": "replace", "path": "/default_parameters", "value": {"para1": "x"}},
        ],
    )
    assert bad.status_code == 400
    # Internal and unknown attributes are refused
    assert client.patch(path, [{"op": "replace", "path": "/uuid", "value": "x"}]).status_code == 400
    assert client.patch(path, [{"op": "add", "path": "/colour", "value": "x"}]).status_code == 400
    assert client.patch(path, [{"op": "move", "path": "/name"}]).status_code == 400
    assert client.patch(path, [{"op": "replace", "path": "/name"}]).status_code == 400


def test_patch_to_a_name_in_use_is_409(client):
    first, second = _create(client).json(), _create(client).json()
    response = client.patch(
        f"/v1/audit_templates/{second['uuid']}",
        [{"op": "replace", "path": "/name", "value": first["name"]}],
    )
    assert response.status_code == 409
    assert client.get(f"/v1/audit_templates/{second['uuid']}").json()["name"] == second["name"]


def test_audit_from_template_copies_scope_and_merges_parameters(client):
    template = _create(
        client,
        strategy="dummy",
        scope=[{"compute": [{"availability_zones": [{"name": "*"}]}]}],
        default_parameters={"para1": 2.0, "para2": "from template"},
    ).json()
    audit = client.post(
        "/v1/audits",
        {
            "audit_type": "EVENT",
            "audit_template_uuid": template["uuid"],
            "parameters": {"para2": "explicit"},
        },
    )
    assert audit.status_code == 201, audit.text
    body = audit.json()
    assert body["scope"] == template["scope"]
    assert body["parameters"] == {"para1": 2.0, "para2": "explicit"}
    assert body["name"].startswith("dummy-")
