"""``make run``: the embedded defaults (SQLite, SQL broker transport) run the whole path, and
Ctrl-C stops every process the supervisor started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from harness.processes import ROOT, free_port, wait_for
from tests.support.client import ApiClient

TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture()
def embedded(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("WATCHER_")}
    env.update(WATCHER_STATE_DIR=str(tmp_path / "var"), WATCHER_API_PORT=str(port))
    log = open(tmp_path / "dev.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "watcher_celery.cli", "dev"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        assert process.poll() is None, (tmp_path / "dev.log").read_text()
        try:
            return requests.get(base + "/v1/goals", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    wait_for(up, 90, "the embedded service to answer")
    yield process, base, tmp_path
    if process.poll() is None:
        process.kill()
        process.wait()
    log.close()


def test_embedded_service_runs_the_dummy_path_and_stops_cleanly(embedded):
    process, base, tmp_path = embedded
    client = ApiClient(base)

    audit = client.post("/v1/audits", {"audit_type": "ONESHOT", "goal": "dummy"}).json()
    assert client.wait_state(f"/v1/audits/{audit['uuid']}", TERMINAL)["state"] == "SUCCEEDED"
    plan = client.get(f"/v1/action_plans?audit_uuid={audit['uuid']}").json()["action_plans"][0]
    assert plan["state"] == "RECOMMENDED"
    assert client.post(f"/v1/action_plans/{plan['uuid']}/start").status_code == 200
    finished = client.wait_state(f"/v1/action_plans/{plan['uuid']}", TERMINAL, timeout=90)
    assert finished["state"] == "SUCCEEDED"
    actions = client.get(f"/v1/actions?action_plan_uuid={plan['uuid']}").json()["actions"]
    assert [a["state"] for a in actions] == ["SUCCEEDED"] * 3
    # The embedded state lives in SQLite files under WATCHER_STATE_DIR: no server was used.
    assert (tmp_path / "var" / "watcher.sqlite").exists()
    assert (tmp_path / "var" / "broker.sqlite").exists()

    # When the operator presses Ctrl-C
    children = _children(process.pid)
    assert len(children) == 3
    process.send_signal(signal.SIGINT)
    assert process.wait(60) == 0
    # Then nothing it started is left running
    wait_for(lambda: not any(_alive(pid) for pid in children), 30, "children to exit")
