"""OpenStack HTTP conventions over real sockets: bookmark links, proxies, 405, the OpenAPI
document, filters on deleted parents, and hostile input answered 4xx with Watcher's body."""

from __future__ import annotations

import json
import socket
import uuid
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from harness.processes import start_api
from tests.support.client import ApiClient, fault
from watcher_celery.db import Audit, session_scope

pytestmark = pytest.mark.integration


@pytest.fixture()
def client(api) -> ApiClient:
    return ApiClient(api)


def _audit_count() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(Audit))


def _raw(base: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes on a socket and read the whole answer (gunicorn closes after an error)."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


def _fault_of(body: bytes) -> dict:
    outer = json.loads(body)
    assert set(outer) == {"error_message"}
    return json.loads(outer["error_message"])


# --- links ------------------------------------------------------------------------------------


def test_bookmark_links_resolve_to_the_same_object(client):
    goal = client.get("/v1/goals/dummy").json()
    template = client.post(
        "/v1/audit_templates", {"name": f"bm-{uuid.uuid4().hex[:8]}", "goal": "dummy"}
    ).json()
    for obj, resource in ((goal, "goals"), (template, "audit_templates")):
        links = {link["rel"]: link["href"] for link in obj["links"]}
        assert links["bookmark"] == f"{client.base}/{resource}/{obj['uuid']}"
        for href in links.values():
            answer = requests.get(href, timeout=10)
            assert answer.status_code == 200, href
            assert answer.json()["uuid"] == obj["uuid"]


@pytest.fixture(scope="module")
def behind_proxy(service_env, log_dir):
    service, base = start_api({**service_env, "WATCHER_API_PROXIES": "1"}, log_dir)
    yield base
    service.stop()


FORWARDED = {"X-Forwarded-Host": "watcher.example.org", "X-Forwarded-Proto": "https"}


def test_links_follow_x_forwarded_headers_only_when_proxies_are_trusted(api, behind_proxy):
    proxied = ApiClient(behind_proxy).get("/v1/goals/dummy", headers=FORWARDED).json()
    assert proxied["links"][0]["href"].startswith("https://watcher.example.org/v1/goals/")
    listed = ApiClient(behind_proxy).get("/v1/goals?limit=1", headers=FORWARDED).json()
    assert listed["next"].startswith("https://watcher.example.org/v1/goals?")
    direct = ApiClient(api).get("/v1/goals/dummy", headers=FORWARDED).json()
    assert direct["links"][0]["href"].startswith(api)


# --- HTTP methods and the OpenAPI document ----------------------------------------------------


def test_405_names_the_allowed_methods(client):
    response = client.session.put(client.base + "/v1/audits", json={}, timeout=10)
    assert response.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert fault(response)["faultcode"] == "Client"


def test_openapi_states_the_rules_the_server_enforces(client):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/audits"]["get"]
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1
    headers = {
        p["name"]
        for p in spec["paths"]["/v1/data_model"].get("parameters", [])
        if p["in"] == "header"
    }
    assert "OpenStack-API-Version" in headers
    patch = spec["components"]["schemas"]["PatchOperation"]
    assert {"required": ["value"]} in patch["anyOf"]
    audit = spec["components"]["schemas"]["Audit"]["properties"]
    assert "1.5" in audit["status_message"]["description"]
    assert "1.1" in audit["start_time"]["description"]


# --- filters on parents that are gone ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v1/actions?action_plan_uuid={u}",
        "/v1/actions?audit_uuid={u}",
        "/v1/action_plans?audit_uuid={u}",
        "/v1/action_plans?strategy={u}",
        "/v1/audits?goal={u}",
        "/v1/audits?strategy=no_such_strategy",
        "/v1/audit_templates?goal={u}",
        "/v1/strategies?goal=no_such_goal",
    ],
)
def test_filter_on_an_unknown_parent_is_an_empty_list(client, path):
    response = client.get(path.format(u=uuid.uuid4()))
    assert response.status_code == 200, response.text
    (items,) = [v for k, v in response.json().items() if k != "next"]
    assert items == []


def test_filter_by_a_uuid_filter_with_a_name_is_400(client):
    response = client.get("/v1/actions?action_plan_uuid=not-a-uuid")
    assert response.status_code == 400
    assert "Expected a uuid" in fault(response)["faultstring"]


# --- hostile bodies ----------------------------------------------------------------------------


def _post_raw(client, path: str, data: bytes) -> requests.Response:
    return client.session.post(
        client.base + path, data=data, headers={"Content-Type": "application/json"}, timeout=30
    )


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b'{"audit_type": "ONESHOT", "goal": "dummy", "parameters": {"a": '
        + b"[" * 40
        + b"]" * 40
        + b"}}",
        b'{"audit_type": "ONESHOT", "goal": "dummy", "force": ' + b"7" * 5_000 + b"}",
    ],
    ids=["10000-deep", "deeper-than-allowed", "5000-digit-integer"],
)
def test_hostile_json_is_a_400_and_writes_nothing(client, data):
    before = _audit_count()
    response = _post_raw(client, "/v1/audits", data)
    assert response.status_code == 400, response.text
    assert "Invalid JSON body" in fault(response)["faultstring"]
    assert _audit_count() == before


def test_a_body_over_the_limit_is_413(client):
    name = "x" * (2 * 1024 * 1024)
    response = client.post("/v1/audits", {"audit_type": "ONESHOT", "goal": "dummy", "name": name})
    assert response.status_code == 413
    assert fault(response)["faultcode"] == "Client"


def test_over_long_names_are_refused_not_cut(client):
    before = _audit_count()
    body = {"audit_type": "ONESHOT", "goal": "dummy", "name": "n" * 64}
    response = client.post("/v1/audits", body)
    assert response.status_code == 400
    assert "name" in fault(response)["faultstring"]
    assert _audit_count() == before
    template = {"name": "t" * 64, "goal": "dummy"}
    assert client.post("/v1/audit_templates", template).status_code == 400
    event = client.post(
        "/v1/audits", {"audit_type": "EVENT", "goal": "dummy", "name": uuid.uuid4().hex}
    ).json()
    patched = client.patch(
        f"/v1/audits/{event['uuid']}", [{"op": "replace", "path": "/name", "value": "p" * 64}]
    )
    assert patched.status_code == 400
    assert client.get(f"/v1/audits/{event['uuid']}").json()["name"] == event["name"]


def test_two_audits_from_a_template_with_a_60_character_name_both_exist(client):
    name = ("t" + uuid.uuid4().hex * 2)[:60]
    template = client.post("/v1/audit_templates", {"name": name, "goal": "dummy"}).json()
    body = {"audit_type": "EVENT", "audit_template_uuid": template["uuid"]}
    first, second = client.post("/v1/audits", body), client.post("/v1/audits", body)
    assert first.status_code == 201 and second.status_code == 201, second.text
    names = {first.json()["name"], second.json()["name"]}
    assert len(names) == 2 and all(len(n) <= 63 for n in names)
    assert all(n.startswith(name[:20]) for n in names)


# --- what gunicorn answers itself --------------------------------------------------------------


def test_gunicorn_answers_carry_the_watcher_error_body(api):
    host = urlsplit(api).netloc
    too_long = (
        b"GET /v1/goals?" + b"a" * 9000 + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n"
    )
    big_header = (
        b"GET /v1/goals HTTP/1.1\r\nHost: " + host.encode() + b"\r\nX-Big: " + b"b" * 9000
    ) + b"\r\n\r\n"
    garbled = b"NOT A REQUEST\r\n\r\n"
    for data, status in ((too_long, 414), (big_header, 431), (garbled, 400)):
        got, headers, body = _raw(api, data)
        assert got == status
        assert headers["Content-Type"] == "application/json"
        assert _fault_of(body)["faultcode"] == "Client"


# --- upstream's faultstrings -------------------------------------------------------------------

U = "6b1d6f0e-8e45-4a3c-9a57-3f0f7f4f7b11"


@pytest.mark.parametrize(
    ("path", "status", "faultstring"),
    [
        ("/v1/goals/nope", 404, "Goal nope could not be found"),
        ("/v1/strategies/nope", 404, "Strategy nope could not be found"),
        ("/v1/audit_templates/nope", 404, "AuditTemplate nope could not be found"),
        ("/v1/audits/nope", 404, "Audit nope could not be found"),
        (f"/v1/action_plans/{U}", 404, f"ActionPlan {U} could not be found"),
        (f"/v1/actions/{U}", 404, f"Action {U} could not be found"),
        ("/v1/scoring_engines/nope", 404, "ScoringEngine nope could not be found"),
        ("/v1/services/nope", 404, "The service nope cannot be found."),
        ("/v1/goals?limit=0", 400, "Limit must be positive"),
        (
            "/v1/goals?sort_dir=up",
            400,
            "Invalid sort direction: up. Acceptable values are 'asc' or 'desc'",
        ),
        (
            f"/v1/actions?audit_uuid={U}&action_plan_uuid={U}",
            400,
            "Filtering actions on both audit and action-plan is prohibited",
        ),
    ],
)
def test_errors_carry_upstreams_faultstrings(client, path, status, faultstring):
    response = client.get(path)
    assert response.status_code == status
    assert faultstring in fault(response)["faultstring"]


def test_duplicate_names_carry_upstreams_faultstring(client):
    name = f"dup-{uuid.uuid4().hex[:8]}"
    assert client.post("/v1/audit_templates", {"name": name, "goal": "dummy"}).status_code == 201
    again = client.post("/v1/audit_templates", {"name": name, "goal": "dummy"})
    assert again.status_code == 409
    assert (
        fault(again)["faultstring"] == f"An audit_template with UUID or name {name} already exists"
    )
    body = {"audit_type": "EVENT", "goal": "dummy", "name": name}
    assert client.post("/v1/audits", body).status_code == 201
    audit_again = client.post("/v1/audits", body)
    assert fault(audit_again)["faultstring"] == f"An audit with UUID or name {name} already exists"
