"""The fault-injection suite: each fault injected several times (WATCHER_FAULT_TRIALS, default
3) on a private deployment, then counted — every accepted request ends terminal, no command is
sent twice, nothing is stuck, no row is half-written. The counts are printed at the end of the
run (``conftest.pytest_terminal_summary``) and quoted in docs/reliability.md."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from sqlalchemy import create_engine

from harness.databases import create_pg_database, drop_pg_database
from harness.processes import wait_for
from tests.conftest import PG_DATABASE, RUN_ID
from tests.integration.reliability.checks import (
    AUDIT,
    FORCE_VERSION,
    TERMINAL,
    action_states,
    post_audit,
    tally,
)
from tests.integration.reliability.conftest import FAST
from tests.support.client import ApiClient
from tests.support.deployment import Deployment
from tests.support.tcp_proxy import TcpProxy
from watcher_celery.queues import DECISION_ENGINE, queue_name

TRIALS = int(os.environ.get("WATCHER_FAULT_TRIALS", "3"))
pytestmark = pytest.mark.timeout(1500)


def _plan(client: ApiClient, sleep: float) -> str:
    body = {**AUDIT, "strategy": "dummy", "parameters": {"para1": sleep}}
    audit = client.post("/v1/audits", body).json()["uuid"]
    client.wait_state(f"/v1/audits/{audit}", {"SUCCEEDED"}, timeout=120)
    return client.get(f"/v1/action_plans?audit_uuid={audit}").json()["action_plans"][0]["uuid"]


def _wait_states(deploy, plan: str, states: list[str]) -> None:
    def reached():
        now = action_states(deploy, plan)
        return all(want is None or have == want for have, want in zip(now, states, strict=True))

    wait_for(reached, 60, f"actions {states}", interval=0.02)


def _settle(deploy, audits: list[str], plans: list[str]) -> None:
    if audits:
        deploy.wait_all_terminal("audits", audits, TERMINAL, timeout=240)
    if plans:
        deploy.wait_all_terminal("action_plans", plans, TERMINAL, timeout=240)


def _clean(row: dict) -> None:
    assert (row["stuck"], row["sent twice"], row["half-written"]) == (0, 0, 0), row


@pytest.mark.parametrize("moment", ["mid-action", "between actions"])
def test_applier_worker_sigkilled(deployment, moment):
    deployment.beat()
    deployment.worker("decision-engine,housekeeping")
    _, base = deployment.api()
    client = ApiClient(base, FORCE_VERSION)
    applier = deployment.worker("applier")
    plans = []
    for _ in range(TRIALS):
        plan = _plan(client, 3.0 if moment == "mid-action" else 1.0)
        plans.append(plan)
        client.post(f"/v1/action_plans/{plan}/start")
        if moment == "mid-action":
            _wait_states(deployment, plan, ["SUCCEEDED", "SUCCEEDED", "ONGOING"])
        else:
            _wait_states(deployment, plan, ["SUCCEEDED", None, None])
        applier.stop(signal.SIGKILL)
        applier = deployment.worker("applier")
        _settle(deployment, [], [plan])
    _clean(tally(deployment, f"applier worker SIGKILL {moment}", TRIALS, [], plans))


def _supervise(deploy, worker, role: str = "all"):
    """What a process supervisor does: a worker that exited is started again. A worker holding
    an unacknowledged message when Redis goes away exits ("Unrecoverable error" from kombu
    restoring the message on the lost connection); docs/reliability.md."""
    time.sleep(3)
    if worker.process.poll() is None:
        return worker, 0
    return deploy.worker(role), 1


def test_broker_restarted_mid_plan(deployment, broker):
    deployment.beat()
    worker = deployment.worker()
    _, base = deployment.api()
    client = ApiClient(base, FORCE_VERSION)
    plans, restarted = [], 0
    for _ in range(TRIALS):
        plan = _plan(client, 3.0)
        plans.append(plan)
        client.post(f"/v1/action_plans/{plan}/start")
        _wait_states(deployment, plan, ["SUCCEEDED", "SUCCEEDED", "ONGOING"])
        broker.restart()
        worker, again = _supervise(deployment, worker)
        restarted += again
        _settle(deployment, [], [plan])
    row = tally(deployment, "broker restart mid-plan", TRIALS, [], plans)
    row["workers restarted by the supervisor"] = restarted
    _clean(row)


def test_broker_restarted_while_audits_are_queued(deployment, broker):
    deployment.beat()
    deployment.worker("applier,housekeeping")
    _, base = deployment.api()
    queue = queue_name(deployment.env["WATCHER_TASK_QUEUE"], DECISION_ENGINE)
    audits = []
    for _ in range(TRIALS):
        batch = [post_audit(base)[1] for _ in range(10)]
        audits += batch
        wait_for(lambda: redis.Redis(port=broker.port).llen(queue) == 10, 30, "10 audits queued")
        broker.restart()
        engine = deployment.worker("decision-engine")
        _settle(deployment, batch, [])
        engine.stop()
    _clean(tally(deployment, "broker restart with audits queued", TRIALS, audits, []))


def test_api_sigkilled_during_a_burst_of_writes(deployment):
    deployment.beat()
    deployment.worker()
    audits: list[str] = []
    for _ in range(TRIALS):
        api, base = deployment.api()
        before = {row[0] for row in deployment.rows("SELECT uuid FROM audits")}
        with ThreadPoolExecutor(10) as pool:
            futures = [pool.submit(post_audit, base) for _ in range(40)]
            wait_for(lambda fs=futures: sum(f.done() for f in fs) >= 10, 60, "10 answers")
            api.stop(signal.SIGKILL)
            answered = {f.result()[1] for f in futures if f.result()[0] == 201}
        saved = {row[0] for row in deployment.rows("SELECT uuid FROM audits")} - before
        assert answered <= saved
        audits += sorted(saved)
    _settle(deployment, audits, [])
    _clean(tally(deployment, "API SIGKILL during a burst of 40 POSTs", TRIALS, audits, []))


def test_beat_sigkilled_during_continuous_audits(deployment):
    beat = deployment.beat()
    deployment.worker()
    _, base = deployment.api()
    client = ApiClient(base, FORCE_VERSION)
    body = {"audit_type": "CONTINUOUS", "goal": "dummy", "interval": "2", "force": True}
    audit = client.post("/v1/audits", body).json()["uuid"]
    for _ in range(TRIALS):
        time.sleep(4)
        beat.stop(signal.SIGKILL)
        beat = deployment.beat()
    time.sleep(4)
    patch = [{"op": "replace", "path": "/state", "value": "CANCELLED"}]
    client.patch(f"/v1/audits/{audit}", patch)
    _settle(deployment, [audit], [])
    created = [
        row[0]
        for row in deployment.rows(
            "SELECT p.created_at FROM action_plans p JOIN audits a ON a.id = p.audit_id "
            "WHERE a.uuid = :a ORDER BY p.created_at",
            a=audit,
        )
    ]
    gaps = [(b - a).total_seconds() for a, b in zip(created, created[1:], strict=False)]
    doubled = sum(1 for gap in gaps if gap < 1.0)  # two runs of one 2 s interval
    row = tally(deployment, "beat SIGKILL during a continuous audit (2 s)", TRIALS, [audit], [])
    row["runs"], row["doubled runs"] = len(created), doubled
    _clean(row)
    assert len(created) >= TRIALS and doubled == 0, gaps


def test_database_connections_cut_mid_transaction(service_env, log_dir, broker):
    name = f"wc_fault_{RUN_ID}_pg"
    direct = create_pg_database(name)
    proxy = TcpProxy(5432)
    through = direct.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    deploy = Deployment(service_env, through, broker.url, log_dir, **FAST)
    deploy.engine.dispose()
    deploy.engine = create_engine(direct)
    try:
        deploy.migrate()
        deploy.beat()
        deploy.worker()
        _, base = deploy.api()
        client = ApiClient(base, FORCE_VERSION)
        audits, plans, cut, refused = [], [], 0, []
        for _ in range(TRIALS):
            plan = _plan(client, 1.0)
            plans.append(plan)
            client.post(f"/v1/action_plans/{plan}/start")
            with ThreadPoolExecutor(5) as pool:
                futures = [pool.submit(post_audit, base) for _ in range(10)]
                time.sleep(0.3)
                cut += proxy.cut()
                time.sleep(0.7)
                cut += proxy.cut()
            audits += [f.result()[1] for f in futures if f.result()[0] == 201]
            refused += [f.result()[0] for f in futures if f.result()[0] != 201]
            _settle(deploy, audits, plans)
        row = tally(deploy, "PostgreSQL connections cut mid-transaction", TRIALS, audits, plans)
        row["connections cut"], row["POSTs answered 503"] = cut, len(refused)
        _clean(row)
        # A POST whose connection was cut is told to retry (503), never a 500
        assert set(refused) <= {503}, refused
    finally:
        deploy.stop()
        proxy.stop()
        drop_pg_database(name)
    assert PG_DATABASE not in through
