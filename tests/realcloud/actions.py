"""Running action plans on the real cloud through a real worker, and checking Nova after."""

from __future__ import annotations

import time

from harness.realcloud.view import CloudView
from harness.rows import make_dag_plan
from tests.integration.applier.conftest import actions_of, launch, wait_plan

# Seconds each kind of action took on real Nova in this run, printed at the end.
ACTION_SECONDS: dict[str, list[float]] = {}
# Nova migration statuses of finished work.
FINAL = {"completed", "confirmed", "error", "failed", "reverted", "cancelled", "done"}


def run_plan(env: dict, steps: list, record: str | None = None, timeout: float = 240) -> dict:
    """Launch a plan of ``steps`` (type, parameters, parents) and wait for its end; the time it
    took is recorded under ``record`` for the run's summary."""
    made = make_dag_plan(steps)
    started = time.monotonic()
    launch(env, made["plan"])
    made["state"] = wait_plan(made["plan"], timeout=timeout)
    made["seconds"] = time.monotonic() - started
    made["actions_rows"] = actions_of(made["actions"])
    if record:
        ACTION_SECONDS.setdefault(record, []).append(made["seconds"])
    return made


def migrate(server_id: str, source: str, kind: str, destination: str | None = None):
    params = {"resource_id": server_id, "migration_type": kind, "source_node": source}
    if destination:
        params["destination_node"] = destination
    return ("migrate", params, [])


def assert_settled(view: CloudView, server_id: str, host: str | None, status: str) -> dict:
    """Nova shows the server idle with ``status`` on ``host`` (any host but the given one when
    ``host`` starts with ``!``), Placement holds its resources on that one host only, and no
    migration of it is still going."""
    server = view.server(server_id)
    actual = server["OS-EXT-SRV-ATTR:host"]
    if host and host.startswith("!"):
        assert actual != host[1:], f"server still on {actual}"
    elif host:
        assert actual == host
    assert (server["status"], server["OS-EXT-STS:task_state"]) == (status, None)
    allocations = view.allocations(server_id)
    assert list(allocations) == [actual], f"allocations on {sorted(allocations)}"
    assert allocations[actual]["MEMORY_MB"] == server["flavor"]["ram"]
    assert allocations[actual]["VCPU"] == server["flavor"]["vcpus"]
    assert all(m["status"] in FINAL for m in view.migrations(server_id))
    return server
