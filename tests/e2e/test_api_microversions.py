"""Microversion negotiation and the version documents, over HTTP."""

from __future__ import annotations

import pytest

from tests.support.client import ApiClient, fault

pytestmark = pytest.mark.integration


@pytest.fixture()
def client(api) -> ApiClient:
    return ApiClient(api)


def _get(client, path, version=None):
    headers = {"OpenStack-API-Version": version} if version is not None else {}
    return client.get(path, headers=headers)


@pytest.mark.parametrize(
    ("sent", "negotiated"),
    [
        (None, "1.0"),
        ("infra-optim 1", "1.0"),
        ("infra-optim 1.3", "1.3"),
        ("infra-optim latest", "1.7"),
        ("compute 2.90", "1.0"),  # another service's header is not ours
        ("compute 2.1, infra-optim 1.3", "1.3"),  # one header for several services
        ("compute 2.1,infra-optim 1.5", "1.5"),
    ],
)
def test_version_is_negotiated_and_reported(client, sent, negotiated):
    response = _get(client, "/v1/goals", sent)
    assert response.status_code == 200
    assert response.headers["OpenStack-API-Version"] == f"infra-optim {negotiated}"
    assert response.headers["OpenStack-API-Minimum-Version"] == "1.0"
    assert response.headers["OpenStack-API-Maximum-Version"] == "1.7"
    assert "OpenStack-API-Version" in response.headers["Vary"]


@pytest.mark.parametrize("sent", ["infra-optim 1.8", "infra-optim 2.0", "infra-optim 0.9"])
def test_version_outside_the_range_is_406(client, sent):
    response = _get(client, "/v1/audits", sent)
    assert response.status_code == 406
    assert "[1.0, 1.7]" in fault(response)["faultstring"]


@pytest.mark.parametrize(
    "sent", ["infra-optim one.two", "infra-optim", "garbage", "infra-optim 1.x"]
)
def test_garbled_version_header_is_400(client, sent):
    response = _get(client, "/v1/goals", sent)
    assert response.status_code == 400
    assert "Invalid value for OpenStack-API-Version header" in fault(response)["faultstring"]


def test_v1_document_lists_data_model_and_webhooks_from_their_versions(client):
    old = _get(client, "/v1", "infra-optim 1.2").json()
    assert "data_model" not in old and "webhooks" not in old
    assert old["audit_templates"][0]["href"].endswith("/v1/audit_templates/")
    new = _get(client, "/v1", "infra-optim 1.4").json()
    assert "data_model" in new and "webhooks" in new


def test_root_document_names_the_version_range(client):
    root = _get(client, "/").json()
    assert root["default_version"]["max_version"] == "1.7"
    assert root["versions"][0]["links"][0]["href"].endswith("/v1/")


def test_template_default_parameters_patch_needs_1_7(api):
    latest = ApiClient(api, headers={"OpenStack-API-Version": "infra-optim 1.7"})
    name = "mv-template"
    created = latest.post(
        "/v1/audit_templates", {"name": name, "goal": "dummy", "strategy": "dummy"}
    )
    assert created.status_code == 201, created.text
    old = ApiClient(api, headers={"OpenStack-API-Version": "infra-optim 1.6"})
    response = old.patch(
        f"/v1/audit_templates/{name}",
        [{"op": "replace", "path": "/default_parameters", "value": {"para1": 2}}],
    )
    assert response.status_code == 406
