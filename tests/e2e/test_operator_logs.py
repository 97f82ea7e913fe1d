"""Worker logs that answer "what happened to plan X", and Flower's view of the same tasks.

A real API, worker and beat (tests/support/operator_stack.py); the worker's log file is read as
an operator would read it.
"""

from __future__ import annotations

import re
import threading
import uuid

import pytest
from celery import Celery

from harness.processes import wait_for
from tests.support.client import ApiClient

pytestmark = pytest.mark.integration
HEADER = "X-OpenStack-Request-Id"


def _maintenance_plan(client: ApiClient, request_id: str | None = None,
                      source: str = "compute-00001", **extra: str) -> tuple[str, str]:  # fmt: skip
    """An audit emptying ``source`` (a few live migrations); returns (audit, plan)."""
    headers = {HEADER: request_id} if request_id else {}
    created = client.post(
        "/v1/audits",
        {
            "audit_type": "ONESHOT",
            "goal": "cluster_maintaining",
            "strategy": "host_maintenance",
            "parameters": {"maintenance_node": source, **extra},
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    audit = created.json()["uuid"]
    done = client.wait_state(f"/v1/audits/{audit}", {"SUCCEEDED", "FAILED"}, timeout=120)
    assert done["state"] == "SUCCEEDED", done
    plans = client.get(f"/v1/action_plans?audit_uuid={audit}").json()["action_plans"]
    return audit, plans[0]["uuid"]


def _lines(text: str, *needles: str) -> list[str]:
    return [line for line in text.splitlines() if all(n in line for n in needles)]


def test_a_request_id_is_returned_and_carried_into_the_worker_lines_of_its_audit(ops):
    client = ApiClient(ops.api)
    # Given an operator's own request id
    mine = f"req-{uuid.uuid4()}"

    # When they create an audit with it
    audit, _plan = _maintenance_plan(client, mine)

    # Then the worker's lines of that audit's run carry both the request id and the audit
    worker_lines = _lines(ops.worker.log(), f"request_id={mine}", f"audit={audit}")
    assert worker_lines, ops.worker.log()[-3000:]
    assert any("run_audit" in line for line in worker_lines), worker_lines

    # And the API answered with it
    answered = client.get(f"/v1/audits/{audit}", headers={HEADER: mine})
    assert answered.headers[HEADER] == mine


def test_a_request_without_a_valid_id_gets_a_new_one_errors_included(ops):
    client = ApiClient(ops.api)
    bad = client.get("/v1/audits/no-such-audit", headers={HEADER: "not-a-request-id"})
    assert bad.status_code == 404
    given = bad.headers[HEADER]
    assert re.fullmatch(r"req-[0-9a-f-]{36}", given) and given != "not-a-request-id"
    assert client.get("/v1/goals").headers[HEADER] != given


def test_every_action_has_one_start_and_one_end_line_naming_instance_and_hosts(ops):
    client = ApiClient(ops.api)
    mine = f"req-{uuid.uuid4()}"
    _audit, plan = _maintenance_plan(client, source="compute-00002", backup_node="compute-00003")
    actions = client.get(f"/v1/actions/detail?action_plan_uuid={plan}&limit=100").json()["actions"]
    migrations = [a for a in actions if a["action_type"] == "migrate"]
    assert migrations, actions

    # When the plan is started with a request id
    started = client.post(f"/v1/action_plans/{plan}/start", headers={HEADER: mine})
    assert started.status_code == 200, started.text
    client.wait_state(f"/v1/action_plans/{plan}", {"SUCCEEDED", "FAILED"}, timeout=180)

    # (the last end line follows the plan's final commit)
    last = migrations[-1]["uuid"]
    wait_for(lambda: _lines(ops.worker.log(), "action end:", f"action={last}"), 30, "end lines")
    wait_for(lambda: len(_lines(ops.worker.log(), f"plan={plan}", "action end:")) >= len(actions),
             30, "every end line")  # fmt: skip
    log = ops.worker.log()
    for action in migrations:
        params = action["input_parameters"]
        starts = _lines(log, "action start: migrate", f"action={action['uuid']}")
        ends = _lines(log, "action end: migrate", f"action={action['uuid']}")
        # Then one line each, with the plan, the instance, both hosts and the outcome
        assert len(starts) == 1 and len(ends) == 1, (starts, ends)
        for line in (starts[0], ends[0]):
            assert f"plan={plan}" in line and f"instance={params['resource_id']}" in line
            assert f"source={params['source_node']}" in line
            assert f"destination={params['destination_node']}" in line
            assert f"request_id={mine}" in line
        assert "outcome=SUCCEEDED" in ends[0]
    # And the plan's own tasks (launch, advance) name the plan too
    assert _lines(log, "launch_action_plan", f"plan={plan}")


def test_flower_sees_what_each_task_is_about_and_none_of_beats_ticks(ops):
    """Flower builds its history from task events: record them as Flower would."""
    app = Celery(broker=ops.env["WATCHER_BROKER_URL"])
    seen: dict[str, dict] = {}
    ready = threading.Event()
    heard = threading.Event()

    def ours(event) -> bool:
        """Other deployments' events share the Redis server: keep ours (node name, queues)."""
        if event.get("type") == "task-sent":
            return str(event.get("queue", "")).startswith(ops.env["WATCHER_TASK_QUEUE"] + ".")
        return str(event.get("hostname", "")).endswith("@" + ops.env["WATCHER_HOST"])

    def record(event):
        if ours(event):
            heard.set()  # the worker's answer to the wake-up: the subscription is live
        if event.get("uuid") and ours(event):
            seen.setdefault(event["uuid"], {}).update(
                {k: event[k] for k in ("name", "args") if event.get(k)}
            )

    def listen():
        with app.connection() as connection:
            receiver = app.events.Receiver(connection, handlers={"*": record})
            ready.set()
            receiver.capture(limit=None, timeout=None, wakeup=True)

    threading.Thread(target=listen, daemon=True).start()
    ready.wait(10)
    # The receiver's wake-up asks the workers for a heartbeat: once ours is heard, the
    # subscription is live.
    assert heard.wait(60), "no event from the worker reached the listener"
    client = ApiClient(ops.api)
    ticks_before = ops.worker.log().count("watcher.housekeeping.sweep[")

    def named_run(audit: str) -> bool:
        found = [i for i in list(seen.values()) if i.get("args") == f"audit={audit}"]
        return any(i.get("name") == "watcher.decision_engine.run_audit" for i in found)

    # When audits run while beat ticks (sweep every 2 s, continuous audits every 1 s). Celery's
    # task events are best-effort (pub/sub, as Flower receives them): an audit whose events did
    # not arrive is followed by another, three at most.
    shown = False
    for _ in range(3):
        audit, _plan = _maintenance_plan(client)
        try:
            wait_for(lambda audit=audit: named_run(audit), 20, "the audit's task events")
        except TimeoutError:
            continue
        shown = True
        break
    wait_for(lambda: ops.worker.log().count("watcher.housekeeping.sweep[") >= ticks_before + 3,
             60, "three sweeps")  # fmt: skip

    # Then an audit's task is there, named and argued by its audit
    assert shown, seen
    names = {uuid_: info.get("name") for uuid_, info in list(seen.items())}
    # And not one of beat's ticks made it to the history
    ticks = {"watcher.housekeeping.sweep", "watcher.decision_engine.schedule_continuous_audits",
             "watcher.applier.reclaim_abandoned_plans"}  # fmt: skip
    assert not ticks & set(names.values()), sorted(set(names.values()))
