"""Crash safety on real Nova: the worker is SIGKILLed while Nova migrates or resizes a server;
a new worker finishes the action without asking Nova a second time.

Each test has its own pair of workers on a queue of its own (not the session's worker).
"""

from __future__ import annotations

import pytest

from harness.rows import make_dag_plan
from tests.integration.applier.test_recovery import assert_finished_once, crash_and_restart
from tests.realcloud.actions import assert_settled


@pytest.fixture
def crash_env(realcloud_env, clean_cloud):
    """A queue of its own and a 3 s lease: the new worker takes over soon after the kill."""
    return {
        **realcloud_env,
        "WATCHER_TASK_QUEUE": realcloud_env["WATCHER_TASK_QUEUE"] + "-crash",
        "WATCHER_APPLIER_LEASE": "3",
    }


def _nova_started(view, server_id):
    """Nova has the request: the server has a task or a migration record."""

    def started() -> bool:
        return view.server(server_id)["OS-EXT-STS:task_state"] is not None or bool(
            view.migrations(server_id)
        )

    return started


@pytest.mark.parametrize(
    "step",
    [
        ("migrate", {"migration_type": "cold", "source_node": "compute-2"}),
        ("resize", {"flavor": "m1.medium"}),
    ],
    ids=["cold-migration", "resize"],
)
def test_worker_killed_while_nova_works_a_new_worker_confirms_the_one_operation(
    crash_env, clean_cloud, log_dir, step
):
    # Given a server and a plan of one migration or resize, then a nop
    view = clean_cloud
    action_type, params = step
    server = view.create_server(f"crash-{action_type}", "m1.small", host="compute-2")
    made = make_dag_plan(
        [(action_type, {"resource_id": server, **params}, []), ("nop", {"message": "after"}, [0])]
    )

    # When the worker dies as soon as Nova has the request, and a new worker starts
    log = crash_and_restart(crash_env, log_dir, made, "ONGOING", sent=_nova_started(view, server))

    # Then the new worker took the action over and the plan finished, the command sent once
    assert f"resuming action {made['actions'][0]}" in log
    assert_finished_once(made)
    # and Nova has exactly one migration of the server, confirmed; the server ACTIVE on one host
    migrations = view.migrations(server)
    assert [m["status"] for m in migrations] == ["confirmed"], migrations
    after = assert_settled(view, server, "!compute-2" if action_type == "migrate" else None,
                           "ACTIVE")  # fmt: skip
    if action_type == "resize":
        assert after["flavor"]["original_name"] == "m1.medium"
