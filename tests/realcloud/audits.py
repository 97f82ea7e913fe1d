"""Audits through the service's HTTP API on the real cloud, and applying their plans."""

from __future__ import annotations

from tests.support.client import ApiClient

ENDED = {"SUCCEEDED", "FAILED", "CANCELLED"}
LATEST = {"OpenStack-API-Version": "infra-optim latest"}


def audit_plan(client: ApiClient, body: dict) -> tuple[dict, list[dict]]:
    """Run a forced one-shot audit to its end; its plan (with indicators) and actions."""
    created = client.post("/v1/audits", {"audit_type": "ONESHOT", "force": True, **body})
    assert created.status_code == 201, created.text
    audit = client.wait_state(f"/v1/audits/{created.json()['uuid']}", ENDED, timeout=120)
    assert audit["state"] == "SUCCEEDED", audit
    plans = client.get(f"/v1/action_plans?audit_uuid={audit['uuid']}").json()["action_plans"]
    plan = client.get(f"/v1/action_plans/{plans[0]['uuid']}").json()
    actions = client.get(f"/v1/actions/detail?action_plan_uuid={plan['uuid']}&limit=1000")
    return plan, actions.json()["actions"]


def apply_plan(client: ApiClient, plan: dict, timeout: float = 300) -> list[dict]:
    """Start the plan, wait for its end and require it SUCCEEDED; its actions afterwards."""
    started = client.post(f"/v1/action_plans/{plan['uuid']}/start")
    assert started.status_code in (200, 202), started.text
    done = client.wait_state(f"/v1/action_plans/{plan['uuid']}", ENDED, timeout=timeout)
    actions = client.get(f"/v1/actions/detail?action_plan_uuid={plan['uuid']}&limit=1000")
    actions = actions.json()["actions"]
    outcome = "; ".join(f"{a['action_type']} {a['state']}: {a.get('status_message')}"
                        for a in actions)  # fmt: skip
    assert done["state"] == "SUCCEEDED", f"plan {done['state']}: {outcome}"
    assert {a["state"] for a in actions} <= {"SUCCEEDED", "SKIPPED"}, actions
    return actions
