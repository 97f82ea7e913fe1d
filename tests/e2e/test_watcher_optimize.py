"""``watcher-optimize`` run as an operator runs it, against a real API, worker and beat on the
simulated cloud (tests/support/operator_stack.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.processes import ROOT, start_api
from tests.e2e.test_operator_metrics import quietest_host
from tests.support.client import ApiClient
from tests.support.operator_stack import ONE_PROCESS

pytestmark = pytest.mark.integration


def optimize(*args: str, url: str, env: dict | None = None, ok: bool = True):
    done = subprocess.run(
        [sys.executable, "-m", "watcher_celery.optimize.cli", "--os-url", url, *args],
        env={**os.environ, **(env or {}), "COLUMNS": "200"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if ok:
        assert done.returncode == 0, (done.stdout, done.stderr)
    return done


def test_version_and_help_are_clean(ops):
    assert optimize("--version", url=ops.api).stdout.startswith("watcher-optimize, version ")
    helped = optimize("--help", url=ops.api).stdout
    assert "audit" in helped and "plan" in helped and "--json" in helped
    for command in (("audit", "create"), ("plan", "start"), ("plan", "cancel")):
        assert "Usage: " in optimize(*command, "--help", url=ops.api).stdout


def test_create_an_audit_see_its_plan_as_a_tree_start_it_and_follow_it_to_the_end(ops):
    client = ApiClient(ops.api)
    host = quietest_host(client)

    # When an operator creates an audit and waits for its plan, as JSON
    created = optimize("--json", "audit", "create", "--goal", "cluster_maintaining",
                       "--strategy", "host_maintenance", "-p", f"maintenance_node={host}",
                       url=ops.api)  # fmt: skip
    body = json.loads(created.stdout)
    # Then the audit ended, and its plan and actions are the API's
    assert body["audit"]["state"] == "SUCCEEDED"
    plan = body["action_plan"]
    assert plan["state"] == "RECOMMENDED"
    api_actions = client.get(f"/v1/actions?action_plan_uuid={plan['uuid']}").json()["actions"]
    assert {a["uuid"] for a in body["actions"]} == {a["uuid"] for a in api_actions}
    migrations = [a for a in body["actions"] if a["action_type"] == "migrate"]
    assert migrations and all(a["input_parameters"]["source_node"] == host for a in migrations)

    # When they look at the plan as a tree
    shown = optimize("plan", "show", plan["uuid"], url=ops.api).stdout
    # Then every action is there with its instance and source host, and the efficacy follows
    for action in body["actions"]:
        line = next(x for x in shown.splitlines() if action["uuid"][:8] in x)
        assert action["action_type"] in line and action["state"] in line
        if action["action_type"] == "migrate":
            assert action["input_parameters"]["resource_id"] in line and host in line
    assert "Efficacy" in shown
    for indicator in plan["efficacy_indicators"]:
        assert (indicator.get("description") or indicator["name"]) in shown
    # And a child is drawn under its parent
    child = next((a for a in body["actions"] if a["parents"]), None)
    if child:
        lines = shown.splitlines()
        parent_at = next(i for i, x in enumerate(lines) if child["parents"][0][:8] in x)
        child_at = next(i for i, x in enumerate(lines) if child["uuid"][:8] in x)
        indent = lambda line: len(line) - len(line.lstrip(" │├└─"))  # noqa: E731
        assert child_at > parent_at and indent(lines[child_at]) > indent(lines[parent_at])

    # When they start it and follow it
    followed = optimize("plan", "start", plan["uuid"], url=ops.api)
    # Then the command ends with the plan SUCCEEDED, having shown progress to the end
    assert "SUCCEEDED" in followed.stdout
    total = len(body["actions"])
    assert f"{total}/{total}" in followed.stderr, followed.stderr
    assert client.get(f"/v1/action_plans/{plan['uuid']}").json()["state"] == "SUCCEEDED"


def test_cancel_a_recommended_plan(ops):
    created = json.loads(optimize("--json", "audit", "create", "--goal", "dummy",
                                  url=ops.api).stdout)  # fmt: skip
    plan = created["action_plan"]["uuid"]
    cancelled = json.loads(optimize("--json", "plan", "cancel", plan, url=ops.api).stdout)
    assert cancelled["state"] == "CANCELLED"
    assert ApiClient(ops.api).get(f"/v1/action_plans/{plan}").json()["state"] == "CANCELLED"
    again = optimize("plan", "cancel", plan, url=ops.api, ok=False)
    assert again.returncode == 1 and "already ended CANCELLED" in again.stderr


@pytest.fixture(scope="module")
def token_api(ops) -> Iterator[str]:
    env = {**ops.env, **ONE_PROCESS, "WATCHER_AUTH": "tokens",
           "WATCHER_AUTH_TOKENS": "op-secret:admin,look-only:reader"}  # fmt: skip
    service, base = start_api(env, Path(ops.worker.log_path).parent)
    yield base
    service.stop()


def test_a_remote_api_with_tokens_answers_the_cli_only_with_a_token(token_api):
    refused = optimize("plan", "list", url=token_api, ok=False)
    assert refused.returncode == 1 and "401" in refused.stderr
    listed = optimize("--json", "--token", "op-secret", "plan", "list", url=token_api)
    assert isinstance(json.loads(listed.stdout), list)
    by_env = optimize("--json", "audit", "list", url=token_api, env={"WATCHER_TOKEN": "look-only"})
    assert isinstance(json.loads(by_env.stdout), list)


def test_metrics_need_a_token_unless_public_while_health_never_does(token_api):
    client = ApiClient(token_api)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"X-Auth-Token": "look-only"}).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_metrics_public_opens_only_metrics(ops):
    env = {**ops.env, **ONE_PROCESS, "WATCHER_AUTH": "tokens",
           "WATCHER_AUTH_TOKENS": "op-secret:admin", "WATCHER_METRICS_PUBLIC": "true"}  # fmt: skip
    service, base = start_api(env, Path(ops.worker.log_path).parent)
    try:
        client = ApiClient(base)
        assert client.get("/metrics").status_code == 200
        assert "watcher_queue_depth" in client.get("/metrics").text
        assert client.get("/v1/audits").status_code == 401
    finally:
        service.stop()
