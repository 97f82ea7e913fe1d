"""Secure by default, on real processes: the API will not listen unauthenticated beyond
loopback, Flower always asks for credentials, and a plan runs only if started through the API.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from harness.processes import ROOT, Service, free_port, start_api, wait_until_answers
from harness.rows import make_plan
from tests.support.client import ApiClient
from watcher_celery.db import Action, ActionPlan, session_scope

pytestmark = pytest.mark.integration
LAUNCH = "watcher.applier.launch_action_plan"


def _run(role: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "watcher_celery.cli", role],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in names}


def test_api_refuses_to_listen_unauthenticated_beyond_loopback(service_env):
    # Given authentication off and an address other machines can reach
    env = {
        **_without(service_env, "WATCHER_AUTH", "WATCHER_AUTH_ENABLED"),
        "WATCHER_API_HOST": "0.0.0.0",
        "WATCHER_API_PORT": str(free_port()),
    }
    # When the API is started, Then it exits at once saying how to turn authentication on
    done = _run("api", env)
    assert done.returncode == 2
    assert "WATCHER_AUTH=keystone" in done.stderr
    assert "WATCHER_API_ALLOW_UNAUTHENTICATED=true" in done.stderr


@pytest.mark.parametrize(
    "setting",
    [
        {"WATCHER_API_ALLOW_UNAUTHENTICATED": "true"},
        {"WATCHER_AUTH": "tokens", "WATCHER_AUTH_TOKENS": f"{uuid.uuid4().hex}:admin"},
    ],
    ids=["explicit-opt-out", "tokens"],
)
def test_api_listens_beyond_loopback_with_auth_or_an_explicit_opt_out(
    service_env, log_dir, setting
):
    env = {**service_env, "WATCHER_API_HOST": "0.0.0.0", **setting}
    service, base = start_api(env, log_dir)
    try:
        answer = requests.get(base + "/v1/goals", timeout=10)
        assert answer.status_code == (401 if "WATCHER_AUTH" in setting else 200)
    finally:
        service.stop()


def test_procfile_flower_needs_credentials(service_env):
    # Given the Procfile's flower line, run as the Procfile runs it, without credentials
    line = next(
        raw.split(":", 1)[1].strip()
        for raw in (ROOT / "Procfile").read_text().splitlines()
        if raw.startswith("flower:")
    )
    assert "UNAUTHENTICATED" not in line
    env = _without(service_env, "WATCHER_FLOWER_BASIC_AUTH", "FLOWER_BASIC_AUTH")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["sh", "-c", line], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    # Then Flower does not start, and says which setting it wants
    assert done.returncode == 2, done.stderr
    assert "WATCHER_FLOWER_BASIC_AUTH" in done.stderr
    # And asking for the unauthenticated API is refused outright
    opened = _run("flower", {**env, "FLOWER_UNAUTHENTICATED_API": "1"})
    assert opened.returncode == 2
    assert "FLOWER_UNAUTHENTICATED_API" in opened.stderr


@pytest.fixture()
def flower(service_env, log_dir):
    user, password = "ops", uuid.uuid4().hex
    port = free_port()
    env = {
        **service_env,
        "WATCHER_FLOWER_PORT": str(port),
        "WATCHER_FLOWER_BASIC_AUTH": f"{user}:{password}",
    }
    service = Service("flower", env, log_dir)
    base = f"http://127.0.0.1:{port}"
    wait_until_answers(service, base + "/healthcheck")
    yield base, (user, password)
    service.stop()


def _plan(plan_uuid: str) -> tuple[str, set[str]]:
    with session_scope() as session:
        plan = session.scalars(select(ActionPlan).where(ActionPlan.uuid == plan_uuid)).one()
        states = set(session.scalars(select(Action.state).where(Action.action_plan_id == plan.id)))
        return plan.state, states


def test_flower_api_needs_credentials_and_cannot_start_a_recommended_plan(flower, worker, api):
    base, credentials = flower
    _, plan_uuid, _ = make_plan(audit_state="SUCCEEDED", action_states=("PENDING", "PENDING"))
    launch_url = f"{base}/api/task/async-apply/{LAUNCH}"
    body = {"args": [plan_uuid]}

    # Without credentials, Flower's API sends nothing and stops nothing
    assert requests.post(launch_url, json=body, timeout=10).status_code == 401
    assert requests.get(f"{base}/api/workers", timeout=10).status_code == 401
    shutdown = requests.post(f"{base}/api/worker/shutdown/watcher@x", timeout=10)
    assert shutdown.status_code == 401

    # With credentials the launch task is sent, but the applier refuses a RECOMMENDED plan
    sent = requests.post(launch_url, json=body, auth=credentials, timeout=10)
    assert sent.status_code == 200, sent.text
    worker.wait_for_log(f"refusing to launch action plan {plan_uuid}", timeout=60)
    assert _plan(plan_uuid) == ("RECOMMENDED", {"PENDING"})

    # Through the API the same plan starts and runs to the end
    client = ApiClient(api)
    assert client.post(f"/v1/action_plans/{plan_uuid}/start").status_code == 200
    assert (
        client.wait_state(f"/v1/action_plans/{plan_uuid}", {"SUCCEEDED", "FAILED"})["state"]
        == "SUCCEEDED"
    )


def test_keystone_without_its_service_user_refuses_to_start(service_env):
    env = {
        **_without(service_env, "WATCHER_KEYSTONE_AUTH_URL", "WATCHER_KEYSTONE_PASSWORD"),
        "WATCHER_AUTH": "keystone",
    }
    done = _run("api", env)
    assert done.returncode == 2
    assert "WATCHER_KEYSTONE_AUTH_URL" in done.stderr
