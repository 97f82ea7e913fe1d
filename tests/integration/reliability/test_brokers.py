"""Both production brokers: the life-cycle, cancel and crash-recovery paths pass on Redis and on
RabbitMQ (a vhost of the test's own), through the API, the outbox and real workers."""

from __future__ import annotations

import signal

from harness.processes import wait_for
from tests.integration.reliability.checks import (
    AUDIT,
    FORCE_VERSION,
    action_states,
    commands_sent,
    one_plan_per_audit,
    post_audit,
    unsent,
)
from tests.support.client import ApiClient


def _plan(client: ApiClient, sleep: float) -> str:
    """A RECOMMENDED plan nop → nop → sleep(``sleep`` s)."""
    body = {**AUDIT, "strategy": "dummy", "parameters": {"para1": sleep}}
    audit = client.post("/v1/audits", body).json()["uuid"]
    client.wait_state(f"/v1/audits/{audit}", {"SUCCEEDED"}, timeout=120)
    return client.get(f"/v1/action_plans?audit_uuid={audit}").json()["action_plans"][0]["uuid"]


def _sleeping(deploy, plan: str) -> None:
    wait_for(lambda: action_states(deploy, plan)[-1] == "ONGOING", 60, "the sleep to start")


def test_audits_and_a_plan_run_their_life_cycle(any_broker_deployment):
    deploy = any_broker_deployment
    deploy.worker()
    deploy.beat()
    _, base = deploy.api()
    client = ApiClient(base, FORCE_VERSION)
    # Given ten audits accepted, When they run, Then each makes one plan
    audits = [post_audit(base)[1] for _ in range(10)]
    deploy.wait_all_terminal("audits", audits, {"SUCCEEDED"}, timeout=120)
    assert set(one_plan_per_audit(deploy, audits).values()) == {1}
    # When a plan is started, Then it runs every action once, to SUCCEEDED
    plan = _plan(client, 1.0)
    assert client.post(f"/v1/action_plans/{plan}/start").json()["state"] == "PENDING"
    deploy.wait_all_terminal("action_plans", [plan], {"SUCCEEDED"}, timeout=120)
    assert action_states(deploy, plan) == ["SUCCEEDED"] * 3
    assert commands_sent(deploy, plan) == [1, 1, 1]
    assert unsent(deploy) == 0


def test_a_running_plan_is_cancelled(any_broker_deployment):
    deploy = any_broker_deployment
    deploy.worker()
    deploy.beat()
    _, base = deploy.api()
    client = ApiClient(base, FORCE_VERSION)
    # Given a plan whose last action sleeps 10 s, running
    plan = _plan(client, 10.0)
    client.post(f"/v1/action_plans/{plan}/start")
    _sleeping(deploy, plan)
    # When the operator cancels it
    patch = [{"op": "replace", "path": "/state", "value": "CANCELLING"}]
    assert client.patch(f"/v1/action_plans/{plan}", patch).json()["state"] == "CANCELLING"
    # Then the running sleep is aborted (CANCELLED, not run to its end) and so is the plan
    deploy.wait_all_terminal("action_plans", [plan], {"CANCELLED"}, timeout=40)
    assert action_states(deploy, plan) == ["SUCCEEDED", "SUCCEEDED", "CANCELLED"]


def test_a_plan_whose_worker_is_sigkilled_mid_action_finishes_on_another(any_broker_deployment):
    deploy = any_broker_deployment
    deploy.beat()
    deploy.worker("housekeeping,decision-engine")
    _, base = deploy.api()
    client = ApiClient(base, FORCE_VERSION)
    applier = deploy.worker("applier")
    # Given a plan running its 8 s sleep on an applier worker
    plan = _plan(client, 8.0)
    client.post(f"/v1/action_plans/{plan}/start")
    _sleeping(deploy, plan)
    # When that whole worker is SIGKILLed and another applier starts
    applier.stop(signal.SIGKILL)
    deploy.worker("applier")
    # Then the plan resumes there and succeeds, no action's command sent twice
    deploy.wait_all_terminal("action_plans", [plan], {"SUCCEEDED"}, timeout=120)
    assert action_states(deploy, plan) == ["SUCCEEDED"] * 3
    assert commands_sent(deploy, plan) == [1, 1, 1]
