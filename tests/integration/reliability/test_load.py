"""Load figures for docs/reliability.md: 100 concurrent audits, 20 concurrent plans, and the API's
latency under 20 clients, on a private deployment (one worker per role, beat, the API)."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.integration.reliability.checks import (
    AUDIT,
    FORCE_VERSION,
    RESULTS,
    TERMINAL,
    post_audit,
)
from tests.support.client import ApiClient

pytestmark = pytest.mark.timeout(900)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_load_figures(deployment):
    deployment.beat()
    for role in ("decision-engine", "applier", "housekeeping"):
        deployment.worker(role)
    _, base = deployment.api()
    client = ApiClient(base, FORCE_VERSION)
    # 100 audits POSTed by 100 clients at once: every one SUCCEEDED, one plan each
    started = time.perf_counter()
    with ThreadPoolExecutor(100) as pool:
        answers = list(pool.map(lambda _: post_audit(base), range(100)))
    audits = [uuid for status, uuid, _ in answers if status == 201]
    assert len(audits) == 100
    deployment.wait_all_terminal("audits", audits, {"SUCCEEDED"}, timeout=300)
    audits_seconds = time.perf_counter() - started
    # 20 of their plans (nop → nop → 1 s sleep) started by 20 clients at once
    plans = [
        client.get(f"/v1/action_plans?audit_uuid={audit}").json()["action_plans"][0]["uuid"]
        for audit in audits[:20]
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(20) as pool:
        codes = list(
            pool.map(
                lambda p: requests.post(f"{base}/v1/action_plans/{p}/start").status_code, plans
            )
        )
    assert codes == [200] * 20
    states = deployment.wait_all_terminal("action_plans", plans, TERMINAL, timeout=300)
    plans_seconds = time.perf_counter() - started

    # 20 clients, each 25 requests: list audits, show one, create one
    def client_run(index: int) -> list[float]:
        session, seconds = requests.Session(), []
        for n in range(25):
            begin = time.perf_counter()
            if n % 3 == 0:
                response = session.post(
                    f"{base}/v1/audits", json=AUDIT, headers=FORCE_VERSION, timeout=30
                )
            elif n % 3 == 1:
                response = session.get(f"{base}/v1/audits?limit=50", timeout=30)
            else:
                response = session.get(f"{base}/v1/audits/{audits[index]}", timeout=30)
            assert response.status_code < 300
            seconds.append(time.perf_counter() - begin)
        return seconds

    with ThreadPoolExecutor(20) as pool:
        latencies = [s for run in pool.map(client_run, range(20)) for s in run]
    figures = {
        "100 concurrent audits, all SUCCEEDED (s)": round(audits_seconds, 1),
        "20 concurrent plans, all ended (s)": round(plans_seconds, 1),
        "plans SUCCEEDED": sum(1 for s in states.values() if s == "SUCCEEDED"),
        "API p50 under 20 clients (ms)": round(statistics.median(latencies) * 1000),
        "API p99 under 20 clients (ms)": round(_percentile(latencies, 0.99) * 1000),
    }
    RESULTS.append({"fault": "load (no fault)", **figures})
    assert figures["plans SUCCEEDED"] == 20
