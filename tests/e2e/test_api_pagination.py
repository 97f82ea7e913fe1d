"""Paging over HTTP: limit, marker, sort keys (incl. derived ones), next links, errors."""

from __future__ import annotations

import uuid

import pytest

from tests.support.client import ApiClient, fault

pytestmark = pytest.mark.integration


@pytest.fixture()
def client(api) -> ApiClient:
    return ApiClient(api)


@pytest.fixture(scope="module")
def templates(api) -> list[dict]:
    """Five templates, some with the dummy strategy and some without."""
    client = ApiClient(api)
    tag = uuid.uuid4().hex[:6]
    made = []
    for i in range(5):
        body = {"name": f"page-{tag}-{i}", "goal": "dummy"}
        if i % 2:
            body["strategy"] = "dummy"
        made.append(client.post("/v1/audit_templates", body).json())
    return made


def _walk(client, path) -> list[dict]:
    items, url = [], client.base + path
    while url:
        body = client.session.get(url, timeout=10).json()
        items.extend(body["audit_templates"])
        url = body.get("next")
    return items


@pytest.mark.parametrize(
    "sort", ["id", "name", "goal_name", "strategy_name", "strategy_uuid", "goal_uuid"]
)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_walking_next_links_visits_every_row_once_in_order(client, templates, sort, direction):
    path = f"/v1/audit_templates?goal=dummy&limit=2&sort_key={sort}&sort_dir={direction}"
    walked = _walk(client, path)
    everything = client.get(f"/v1/audit_templates?goal=dummy&sort_key={sort}&sort_dir={direction}")
    expected = everything.json()["audit_templates"]
    assert [t["uuid"] for t in walked] == [t["uuid"] for t in expected]
    assert {t["uuid"] for t in templates} <= {t["uuid"] for t in walked}
    if sort in ("name", "strategy_name"):
        values = [t.get(sort) or "" for t in walked]
        assert values == sorted(values, reverse=direction == "desc")


def test_next_only_on_full_pages_and_keeps_filters(client, templates):
    total = len(client.get("/v1/audit_templates?goal=dummy").json()["audit_templates"])
    full = client.get(f"/v1/audit_templates?goal=dummy&limit={total}").json()
    assert "goal=dummy" in full["next"] and f"limit={total}" in full["next"]
    short = client.get(f"/v1/audit_templates?goal=dummy&limit={total + 1}").json()
    assert "next" not in short


def test_limit_is_capped_by_the_server_maximum(client, templates):
    body = client.get("/v1/audit_templates?limit=1000000").json()
    assert len(body["audit_templates"]) >= len(templates)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("limit=0", "Limit must be positive"),
        ("limit=-3", "Limit must be positive"),
        ("limit=many", "limit"),
        ("sort_key=colour", "Invalid sort key"),
        ("sort_dir=up", "Invalid sort direction: up"),
        ("marker=6b1d6f0e-8e45-4a3c-9a57-3f0f7f4f7b11", "marker"),
    ],
)
def test_bad_paging_arguments_are_400_or_404(client, query, says):
    response = client.get(f"/v1/audit_templates?{query}")
    assert response.status_code in (400, 404)
    assert says in fault(response)["faultstring"]


def test_detail_under_one_item_is_404(client, templates):
    assert client.get(f"/v1/audit_templates/{templates[0]['uuid']}/detail").status_code == 404
