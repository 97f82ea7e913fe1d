"""Read-only scoring engines and services (with the worker's heartbeats), webhooks, and a
plan launched by PATCH, against a real worker."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from harness.processes import Service, wait_for
from tests.support.client import ApiClient, fault
from watcher_celery.db import Service as ServiceRow
from watcher_celery.db import session_scope
from watcher_celery.db.models import utcnow

pytestmark = pytest.mark.integration
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


@pytest.fixture()
def client(api) -> ApiClient:
    return ApiClient(api)


def test_scoring_engines_are_listed_and_shown_by_name(client):
    listed = client.get("/v1/scoring_engines").json()["scoring_engines"]
    assert {"dummy_scorer", "dummy_min_scorer", "dummy_max_scorer", "dummy_avg_scorer"} <= {
        s["name"] for s in listed
    }
    assert all("metainfo" not in s for s in listed)
    shown = client.get("/v1/scoring_engines/dummy_scorer").json()
    assert "workload" in shown["metainfo"]
    assert client.get(f"/v1/scoring_engines/{shown['uuid']}").json()["name"] == "dummy_scorer"
    assert client.post("/v1/scoring_engines", {"name": "x"}).status_code == 405


def test_worker_heartbeats_make_active_services_and_silence_makes_failed(client, worker):
    # Given a running worker, Then it shows as both upstream services, ACTIVE
    def worker_rows():
        rows = client.get("/v1/services/detail").json()["services"]
        names = {r["name"]: r for r in rows if r["status"] == "ACTIVE"}
        return names if {"watcher-decision-engine", "watcher-applier"} <= set(names) else None

    active = wait_for(worker_rows, 30, "the worker's heartbeat")
    engine = active["watcher-decision-engine"]
    assert engine["last_seen_up"]
    by_id = client.get(f"/v1/services/{engine['id']}").json()
    assert by_id["name"] == "watcher-decision-engine"
    assert by_id["links"][0]["href"].endswith(f"/v1/services/{engine['id']}")
    # And a service not heard from for longer than the down time is FAILED
    with session_scope() as session:
        stale = ServiceRow(name=f"watcher-applier-{uuid.uuid4().hex[:6]}", host="gone")
        stale.last_seen_up = utcnow() - timedelta(seconds=600)
        session.add(stale)
    assert client.get(f"/v1/services/{stale.name}").json()["status"] == "FAILED"
    assert client.get("/v1/services/987654321").status_code == 404


def test_celery_beat_heartbeats_as_its_own_service(client, service_env, log_dir):
    beat = Service("beat", service_env, log_dir)
    try:

        def beat_row():
            rows = client.get("/v1/services").json()["services"]
            return next((r for r in rows if r["name"] == "watcher-beat"), None)

        row = wait_for(beat_row, 30, "celery beat's heartbeat")
        assert row["status"] == "ACTIVE"
    finally:
        beat.stop()


def test_services_page_by_integer_marker(client, worker):
    rows = client.get("/v1/services").json()["services"]
    assert len(rows) >= 2
    first = client.get("/v1/services?limit=1").json()
    assert first["next"].endswith(f"marker={first['services'][0]['id']}")
    after = client.get(f"/v1/services?marker={first['services'][0]['id']}").json()["services"]
    assert [r["id"] for r in after] == [r["id"] for r in rows[1:]]


def _audit(client, audit_type="EVENT", **extra) -> dict:
    body = {"audit_type": audit_type, "goal": "dummy", "name": f"w-{uuid.uuid4().hex[:8]}"}
    response = client.post("/v1/audits", {**body, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_webhook_runs_an_event_audit_again_and_again(client, worker):
    audit = _audit(client)
    response = client.post(f"/v1/webhooks/{audit['name']}", {"alarm": "cpu"})
    assert response.status_code == 202 and response.content == b""
    done = client.wait_state(f"/v1/audits/{audit['uuid']}", TERMINAL)
    assert done["state"] == "SUCCEEDED"
    # an EVENT audit can be triggered again from SUCCEEDED
    assert client.post(f"/v1/webhooks/{audit['uuid']}").status_code == 202

    def two_plans():
        plans = client.get(f"/v1/action_plans?audit_uuid={audit['uuid']}").json()
        return len(plans["action_plans"]) == 2

    wait_for(two_plans, 30, "a second plan")


def test_webhook_refuses_other_audit_types_and_states(client):
    oneshot = _audit(client, "CONTINUOUS", interval="3600")
    response = client.post(f"/v1/webhooks/{oneshot['uuid']}")
    assert response.status_code == 400
    assert fault(response)["faultstring"] == "Audit type CONTINUOUS is disallowed."
    event = _audit(client)
    client.patch(
        f"/v1/audits/{event['uuid']}",
        [{"op": "replace", "path": "/state", "value": "CANCELLED"}],
    )
    response = client.post(f"/v1/webhooks/{event['uuid']}")
    assert response.status_code == 400
    assert fault(response)["faultstring"] == "Audit state CANCELLED is disallowed."
    assert client.post(f"/v1/webhooks/{uuid.uuid4()}").status_code == 404


def test_patch_to_pending_launches_the_plan(client, worker):
    audit = _audit(client, "ONESHOT")
    client.wait_state(f"/v1/audits/{audit['uuid']}", TERMINAL)
    plan = client.get(f"/v1/action_plans?audit_uuid={audit['uuid']}").json()["action_plans"][0]
    response = client.patch(
        f"/v1/action_plans/{plan['uuid']}",
        [{"op": "replace", "path": "/state", "value": "PENDING"}],
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] in {"PENDING", "ONGOING", "SUCCEEDED"}
    assert client.wait_state(f"/v1/action_plans/{plan['uuid']}", TERMINAL)["state"] == "SUCCEEDED"


def test_cancelling_a_running_plan_ends_it_cancelled(client, worker):
    # Given a running plan whose last action sleeps for a while
    audit = _audit(client, "ONESHOT", strategy="dummy", parameters={"para1": 8})
    client.wait_state(f"/v1/audits/{audit['uuid']}", TERMINAL)
    plan = client.get(f"/v1/action_plans?audit_uuid={audit['uuid']}").json()["action_plans"][0]
    client.post(f"/v1/action_plans/{plan['uuid']}/start")
    client.wait_state(f"/v1/action_plans/{plan['uuid']}", {"ONGOING"})
    # When the operator asks it to stop
    response = client.patch(
        f"/v1/action_plans/{plan['uuid']}",
        [{"op": "replace", "path": "/state", "value": "CANCELLING"}],
    )
    assert response.status_code == 200, response.text
    # Then the applier notices and the plan ends CANCELLED, not SUCCEEDED
    final = client.wait_state(f"/v1/action_plans/{plan['uuid']}", TERMINAL)
    assert final["state"] == "CANCELLED"
