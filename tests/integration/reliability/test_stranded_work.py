"""Every state recovers: work lost by the broker or by a dead worker is asked for again.

A private deployment with beat's sweeper on short periods (conftest.FAST): the broker (a
redis-server the test owns) restarts without persistence while audits and a plan launch wait
in its queues, and a whole worker is SIGKILLed right after a burst of audits.
"""

from __future__ import annotations

import signal

import redis

from harness.processes import wait_for
from tests.integration.reliability.checks import (
    FORCE_VERSION,
    action_states,
    commands_sent,
    one_plan_per_audit,
    post_audit,
    recommended_plan,
)
from tests.support.client import ApiClient
from watcher_celery.queues import APPLIER, DECISION_ENGINE, queue_name


def test_audits_and_a_launch_lost_in_a_broker_restart_are_asked_for_again(deployment, broker):
    # Given an API, beat and a worker that makes a RECOMMENDED plan, then leaves
    deployment.beat()
    worker = deployment.worker("decision-engine,applier")
    api, base = deployment.api()
    client = ApiClient(base, FORCE_VERSION)
    plan = recommended_plan(client)
    worker.stop()
    deployment.worker("housekeeping")
    # When 20 audits are accepted and the plan started, their messages waiting in the broker
    audits = [post_audit(base)[1] for _ in range(20)]
    assert client.post(f"/v1/action_plans/{plan}/start").status_code == 200
    queues = redis.Redis(port=broker.port)
    prefix = deployment.env["WATCHER_TASK_QUEUE"]

    def queued() -> tuple[int, int]:
        return (
            queues.llen(queue_name(prefix, DECISION_ENGINE)),
            queues.llen(queue_name(prefix, APPLIER)),
        )

    wait_for(lambda: queued() == (20, 1), 30, "20 audits and a launch queued")
    # And the broker restarts, losing them
    broker.restart()
    assert queued() == (0, 0)
    deployment.worker("decision-engine,applier")
    # Then the sweeper asks again: every audit and the plan run, once
    deployment.wait_all_terminal("audits", audits, {"SUCCEEDED"}, timeout=180)
    deployment.wait_all_terminal("action_plans", [plan], {"SUCCEEDED"}, timeout=120)
    assert set(one_plan_per_audit(deployment, audits).values()) == {1}
    assert action_states(deployment, plan) == ["SUCCEEDED"] * 3
    assert all(sent <= 1 for sent in commands_sent(deployment, plan))


def test_a_whole_worker_sigkilled_after_a_burst_leaves_no_audit_behind(deployment):
    # Given beat, an API and a worker
    deployment.beat()
    _, base = deployment.api()
    worker = deployment.worker()
    # When 20 audits are POSTed and the whole worker is SIGKILLed at once
    audits = [post_audit(base)[1] for _ in range(20)]
    worker.stop(signal.SIGKILL)
    done = deployment.scalar(
        "SELECT count(*) FROM audits WHERE state = 'SUCCEEDED' AND uuid = ANY(:u)", u=audits
    )
    print(f"worker SIGKILL after 20 POSTs: {done} audits had finished")
    # And another worker starts
    deployment.worker()
    # Then the held messages come back (visibility timeout) or are asked for again (sweeper):
    # every audit ends SUCCEEDED with one plan
    deployment.wait_all_terminal("audits", audits, {"SUCCEEDED"}, timeout=180)
    assert set(one_plan_per_audit(deployment, audits).values()) == {1}
