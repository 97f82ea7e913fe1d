"""A strategy from a separately installed package is listed and runs, with no change here.

The fixture project ``tests/fixtures/third_party_strategy`` is pip-installed into a private
directory put on the services' ``PYTHONPATH``: the real API and worker find it through the
``watcher_celery.strategies`` entry-point group, exactly as a site-packages install would be.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.processes import start_api, start_worker
from tests.support.client import ApiClient

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "third_party_strategy"


@pytest.fixture(scope="module")
def plugin_services(service_env, log_dir, tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
        + ["--target", str(target), str(FIXTURE)],
        check=True,
    )
    env = {
        **service_env,
        "PYTHONPATH": str(target),
        # A queue of its own: the shared worker does not have the plugin.
        "WATCHER_TASK_QUEUE": service_env["WATCHER_TASK_QUEUE"] + "-plugin",
    }
    worker = start_worker(env, log_dir)
    api, base = start_api(env, log_dir)
    yield ApiClient(base)
    api.stop()
    worker.stop()


def test_third_party_strategy_is_listed_and_runs_in_an_audit(plugin_services):
    client = plugin_services
    # Given the installed package, Then its strategy is listed under its goal
    listed = client.get("/v1/strategies?goal=dummy").json()["strategies"]
    assert "third_party_greeter" in [s["name"] for s in listed]
    shown = client.get("/v1/strategies/third_party_greeter").json()
    assert shown["goal_name"] == "dummy"
    assert shown["parameters_spec"]["properties"]["greeting"]["type"] == "string"

    # When an audit names it, with one parameter given and one left to its default
    created = client.post(
        "/v1/audits",
        {
            "audit_type": "ONESHOT",
            "goal": "dummy",
            "strategy": "third_party_greeter",
            "parameters": {"greeting": "bonjour"},
        },
    )
    assert created.status_code == 201, created.text
    uuid = created.json()["uuid"]

    # Then the worker runs it to a plan made of the plugin's actions
    done = client.wait_state(f"/v1/audits/{uuid}", {"SUCCEEDED", "FAILED"})
    assert done["state"] == "SUCCEEDED", done
    assert done["parameters"] == {"greeting": "bonjour", "pause": 0.1}
    plan = client.get(f"/v1/action_plans?audit_uuid={uuid}").json()["action_plans"][0]
    actions = client.get(f"/v1/actions/detail?action_plan_uuid={plan['uuid']}").json()["actions"]
    assert [(a["action_type"], a["input_parameters"]) for a in actions] == [
        ("nop", {"message": "bonjour"}),
        ("sleep", {"duration": 0.1}),
    ]
