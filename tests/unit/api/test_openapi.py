"""The OpenAPI document: every operation documents its error answers and the token header,
and the docs page loads Swagger UI from this server, not from a CDN."""

from __future__ import annotations

import pytest

from watcher_celery.api import create_app

WRITES = {"post", "patch", "delete"}


@pytest.fixture(scope="module")
def client():
    return create_app(sync=False).test_client()


@pytest.fixture(scope="module")
def spec(client) -> dict:
    return client.get("/openapi.json").get_json()


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in WRITES | {"get"}:
                yield path, method, operation


def test_every_operation_documents_its_errors_with_the_watcher_body(spec):
    for path, method, operation in _operations(spec):
        codes = set(operation["responses"])
        expected = {"400", "401", "404", "406"} | ({"403", "409"} if method in WRITES else set())
        assert expected <= codes, (method, path, codes)
        error = operation["responses"]["401"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/WatcherError"}
        assert "422" not in codes  # validation errors are answered as 400


def test_every_operation_documents_its_success_body(spec):
    for path, method, operation in _operations(spec):
        success = [c for c in operation["responses"] if c.startswith("2")]
        assert len(success) == 1, (method, path, success)


def test_the_token_header_is_the_security_scheme(spec):
    assert spec["components"]["securitySchemes"]["token"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Auth-Token",
    }
    assert spec["security"] == [{"token": []}]


def test_docs_page_uses_assets_served_here(client):
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in page
    assert "https://" not in page
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
