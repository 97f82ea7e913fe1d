"""Queues per role: a long audit never waits in front of a running plan's next action.

A decision-engine worker and an applier worker, each with its own WATCHER_HOST, on one private
deployment of a 10,000-host simulated cloud. A plan's run time is measured idle, then while the
decision engine runs a consolidation audit of all 10,000 hosts: it stays within twice idle.
Each audit and plan records the worker that ran or applied it.
"""

from __future__ import annotations

import statistics
import time

from harness.processes import wait_for
from tests.integration.reliability.checks import AUDIT, FORCE_VERSION
from tests.support.client import ApiClient

BIG_AUDIT = {
    "audit_type": "ONESHOT",
    "goal": "server_consolidation",
    "strategy": "basic",
    "force": True,
}


def _plans(client: ApiClient, count: int) -> list[str]:
    """RECOMMENDED dummy plans whose sleep is short: nop → nop → sleep(1 s)."""
    plans = []
    for _ in range(count):
        body = {**AUDIT, "strategy": "dummy", "parameters": {"para1": 1.0}}
        audit = client.post("/v1/audits", body).json()["uuid"]
        client.wait_state(f"/v1/audits/{audit}", {"SUCCEEDED"}, timeout=120)
        found = client.get(f"/v1/action_plans?audit_uuid={audit}").json()["action_plans"]
        plans.append(found[0]["uuid"])
    return plans


def _run(deploy, client: ApiClient, plan: str) -> float:
    """Seconds from ``/start`` to the plan SUCCEEDED."""
    started = time.perf_counter()
    assert client.post(f"/v1/action_plans/{plan}/start").status_code == 200

    def done():
        return deploy.scalar("SELECT state FROM action_plans WHERE uuid = :p", p=plan) in (
            "SUCCEEDED",
            "FAILED",
        )

    wait_for(done, 120, f"plan {plan}", interval=0.02)
    return time.perf_counter() - started


def test_a_10000_host_audit_does_not_delay_a_running_plan(deployment):
    # Given a decision-engine worker and an applier worker on a 10,000-host cloud
    sim = {"WATCHER_SIM_HOSTS": "10000", "WATCHER_SIM_INSTANCES": "100000"}
    deployment.worker("decision-engine", WATCHER_HOST="engine-host", **sim)
    deployment.worker("applier", WATCHER_HOST="applier-host", **sim)
    _, base = deployment.api()
    client = ApiClient(base, FORCE_VERSION)
    plans = _plans(client, 12)
    # When three plans run one after the other, idle
    idle = [_run(deployment, client, plan) for plan in plans[:3]]
    # And the others one after the other while the decision engine audits all 10,000 hosts
    # (a plan counts only if the audit was still running when it ended)
    big = client.post("/v1/audits", BIG_AUDIT).json()["uuid"]
    client.wait_state(f"/v1/audits/{big}", {"ONGOING"}, timeout=60)
    loaded = []
    for plan in plans[3:]:
        seconds = _run(deployment, client, plan)
        if client.get(f"/v1/audits/{big}").json()["state"] != "ONGOING":
            break
        loaded.append(seconds)
    final = client.wait_state(f"/v1/audits/{big}", {"SUCCEEDED", "FAILED"}, timeout=600)
    print(
        f"plan run time: idle median {statistics.median(idle):.2f} s {idle}, during a 10,000-host "
        f"audit {loaded}"
    )
    # Then at least two plans ran during the audit, no slower than twice idle
    assert len(loaded) >= 2, "the audit ended before two plans ran: too little measured under load"
    assert statistics.median(loaded) <= 2 * statistics.median(idle)
    # And each audit and plan names the worker's host that ran or applied it
    assert final["state"] == "SUCCEEDED", final.get("status_message")
    assert final["hostname"] == "engine-host"
    hosts = {
        client.get(f"/v1/action_plans/{p}").json()["hostname"] for p in plans[: 3 + len(loaded)]
    }
    assert hosts == {"applier-host"}
