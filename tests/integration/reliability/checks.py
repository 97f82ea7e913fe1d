"""What fault tests do to a deployment (accept audits, make a plan) and assert afterwards:
each accepted thing ran, and ran once."""

from __future__ import annotations

import time

import requests

from tests.support.client import ApiClient
from tests.support.deployment import Deployment

# Forced: a plan running meanwhile must not cancel them (reference §8.1), they must run.
AUDIT = {"audit_type": "ONESHOT", "goal": "dummy", "force": True}
FORCE_VERSION = {"OpenStack-API-Version": "infra-optim 1.2"}


def post_audit(base: str) -> tuple[int, str | None, float]:
    started = time.perf_counter()
    try:
        response = requests.post(f"{base}/v1/audits", json=AUDIT, headers=FORCE_VERSION, timeout=30)
    except requests.RequestException:
        return 0, None, time.perf_counter() - started
    uuid = response.json().get("uuid") if response.status_code == 201 else None
    return response.status_code, uuid, time.perf_counter() - started


def recommended_plan(client: ApiClient) -> str:
    audit = client.post("/v1/audits", AUDIT).json()["uuid"]
    client.wait_state(f"/v1/audits/{audit}", {"SUCCEEDED"}, timeout=90)
    return client.get(f"/v1/action_plans?audit_uuid={audit}").json()["action_plans"][0]["uuid"]


def one_plan_per_audit(deploy: Deployment, audit_uuids: list[str]) -> dict[str, int]:
    """Audit uuid → number of plans it produced (a dummy audit run once makes exactly one)."""
    rows = deploy.rows(
        "SELECT a.uuid, count(p.id) FROM audits a LEFT JOIN action_plans p ON p.audit_id = a.id "
        "WHERE a.uuid = ANY(:u) GROUP BY a.uuid",
        u=audit_uuids,
    )
    return dict(rows)


def commands_sent(deploy: Deployment, plan_uuid: str) -> list[int]:
    """How many commands each action of the plan sent (its execution record)."""
    return [
        row[0]
        for row in deploy.rows(
            "SELECT e.commands_sent FROM action_executions e JOIN actions a "
            "ON a.uuid = e.action_uuid JOIN action_plans p ON p.id = a.action_plan_id "
            "WHERE p.uuid = :p",
            p=plan_uuid,
        )
    ]


def action_states(deploy: Deployment, plan_uuid: str) -> list[str]:
    return [
        row[0]
        for row in deploy.rows(
            "SELECT a.state FROM actions a JOIN action_plans p ON p.id = a.action_plan_id "
            "WHERE p.uuid = :p ORDER BY a.id",
            p=plan_uuid,
        )
    ]


def unsent(deploy: Deployment) -> int:
    return deploy.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL")


# --- the fault suite's tally: one row per fault, printed at the end of the run ----------------

TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}
RESULTS: list[dict] = []


def tally(deploy: Deployment, fault: str, trials: int, audits: list[str], plans: list[str]) -> dict:
    """Count, for the audits and plans accepted during ``trials`` injections of ``fault``, how
    many ended terminal, how many commands were sent twice, what is stuck or half-written."""
    states = dict(
        deploy.rows(
            "SELECT uuid, state FROM audits WHERE uuid = ANY(:u) "
            "UNION ALL SELECT uuid, state FROM action_plans WHERE uuid = ANY(:p)",
            u=audits,
            p=plans,
        )
    )
    twice = deploy.scalar(
        "SELECT count(*) FROM action_executions e JOIN actions a ON a.uuid = e.action_uuid "
        "JOIN action_plans p ON p.id = a.action_plan_id WHERE p.uuid = ANY(:p) "
        "AND e.commands_sent > 1",
        p=plans,
    )
    half = deploy.scalar(
        "SELECT (SELECT count(*) FROM action_plans p WHERE NOT EXISTS "
        "(SELECT 1 FROM actions a WHERE a.action_plan_id = p.id)) + "
        "(SELECT count(*) FROM audits a WHERE a.audit_type = 'ONESHOT' "
        "AND a.state = 'SUCCEEDED' AND NOT EXISTS "
        "(SELECT 1 FROM action_plans p WHERE p.audit_id = a.id))"
    )
    terminal = sum(1 for uuid in [*audits, *plans] if states.get(uuid) in TERMINAL)
    row = {
        "fault": fault,
        "trials": trials,
        "accepted": len(audits) + len(plans),
        "terminal": terminal,
        "stuck": len(audits) + len(plans) - terminal,
        "sent twice": twice,
        "half-written": half,
    }
    RESULTS.append(row)
    return row
