"""Transactional dispatch: work the API accepted runs, exactly once, whatever dies after commit.

Real processes on a private deployment: the API is SIGKILLed with accepted work not yet sent,
the broker (a redis-server the test owns) is down while audits are created and plans started.
"""

from __future__ import annotations

import signal
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from harness.processes import wait_for
from tests.integration.reliability.checks import (
    FORCE_VERSION,
    action_states,
    commands_sent,
    one_plan_per_audit,
    post_audit,
    recommended_plan,
    unsent,
)
from tests.support.client import ApiClient


def test_api_killed_while_the_broker_is_down_loses_no_accepted_work(deployment, broker):
    # Given a worker and an API, and a RECOMMENDED plan made while all was well
    deployment.worker()
    api, base = deployment.api()
    client = ApiClient(base, FORCE_VERSION)
    plan = recommended_plan(client)
    # When the broker goes down and 40 audits are created and the plan is started
    broker.kill()
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: post_audit(base), range(40)))
    started = time.perf_counter()
    start = client.post(f"/v1/action_plans/{plan}/start")
    start_seconds = time.perf_counter() - started
    # Then every write is answered at once, without waiting for the broker
    latencies = sorted(seconds for _, _, seconds in answers)
    print(
        f"broker down: POST /v1/audits p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms; /start {start_seconds * 1000:.0f} ms"
    )
    assert [status for status, _, _ in answers] == [201] * 40
    assert (start.status_code, start.json()["state"]) == (200, "PENDING")
    assert latencies[-1] < 10 and start_seconds < 10
    # When the API is SIGKILLed with all of it committed and none of it sent
    api.stop(signal.SIGKILL)
    assert unsent(deployment) == 41
    # And the broker comes back, with beat's relay but no API
    broker.start()
    deployment.beat()
    # Then every accepted audit and the started plan run to the end, exactly once
    audits = [uuid for _, uuid, _ in answers]
    states = deployment.wait_all_terminal("audits", audits, {"SUCCEEDED"}, timeout=240)
    assert set(states.values()) == {"SUCCEEDED"}
    deployment.wait_all_terminal("action_plans", [plan], {"SUCCEEDED"}, timeout=120)
    assert set(one_plan_per_audit(deployment, audits).values()) == {1}
    assert action_states(deployment, plan) == ["SUCCEEDED"] * 3
    assert all(sent <= 1 for sent in commands_sent(deployment, plan))
    wait_for(lambda: unsent(deployment) == 0, 30, "the outbox to be empty")


def test_api_sigkilled_during_a_burst_of_writes_loses_no_saved_audit(deployment):
    # Given a worker, beat and an API
    deployment.worker()
    deployment.beat()
    api, base = deployment.api()
    # When 80 audits are POSTed by 16 clients and the API is SIGKILLed mid-burst
    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(post_audit, base) for _ in range(80)]
        wait_for(lambda: sum(f.done() for f in futures) >= 20, 60, "20 answers")
        api.stop(signal.SIGKILL)
        answers = [f.result() for f in futures]
    acknowledged = {uuid for status, uuid, _ in answers if status == 201}
    saved = [row[0] for row in deployment.rows("SELECT uuid FROM audits")]
    print(f"API SIGKILL mid-burst: {len(acknowledged)} answered 201, {len(saved)} saved")
    # Then every acknowledged audit was saved, and every saved audit (answered or not) runs once
    assert acknowledged <= set(saved) and len(acknowledged) >= 20
    deployment.wait_all_terminal("audits", saved, {"SUCCEEDED"}, timeout=240)
    assert set(one_plan_per_audit(deployment, saved).values()) == {1}
    wait_for(lambda: unsent(deployment) == 0, 30, "the outbox to be empty")
