"""How long a plan takes against how long the cloud itself works, on the default setup.

The README's ``basic`` consolidation on the default simulated cloud (16 hosts, 120 instances,
seed 42, operations of 2 s) with the default settings (``WATCHER_ACTION_POLL_INTERVAL`` 5 s):
the audit runs in-process, the plan on one real worker (prefork, 2 processes) on Redis and
PostgreSQL. Reported, measured in one run:

* plan time: launch → SUCCEEDED;
* the cloud's own operation time: the longest path through the plan's DAG, each action
  weighted by how long its operation took in the cloud (the simulated cloud's own record of
  start and end), i.e. what an applier with no overhead at all would take;
* the ratio of the two (target ≤ 1.2), and per action the mean time from ONGOING to
  SUCCEEDED against the mean operation time;
* where the rest goes: the mean hand-off (an action's start after its last parent finished)
  and the time before the first action.

The worker is warmed up first with a small plan of two migrations (a long-running worker has
imported everything; a fresh one spends about 2 s on its first actions).

    .venv/bin/python -m bench.action_latency [REPEATS]
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.applier import applier, environment, plan, start_worker, stop_worker_and_drop


def audit_plan() -> str:
    """Run the README's basic audit in-process; the uuid of its plan, started (PENDING) as the
    API's ``/start`` would, since the applier launches only started plans."""
    from sqlalchemy import select

    from watcher_celery.db import ActionPlan, Audit, Goal, Strategy, session_scope
    from watcher_celery.decision_engine.audit_flow import run_audit
    from watcher_celery.decision_engine.sync import sync_plugins
    from watcher_celery.states import ActionPlanState, Actor, transition

    sync_plugins()
    with session_scope() as session:
        goal = session.scalars(select(Goal).where(Goal.name == "server_consolidation")).one()
        strategy = session.scalars(select(Strategy).where(Strategy.name == "basic")).one()
        audit = Audit(
            name=f"bench-{uuid.uuid4().hex[:8]}",
            audit_type="ONESHOT",
            state="PENDING",
            goal_id=goal.id,
            strategy_id=strategy.id,
        )
        session.add(audit)
        session.flush()
        audit_uuid = audit.uuid
    result = run_audit(audit_uuid)
    if result.state != "SUCCEEDED" or not result.action_plan_uuid:
        raise RuntimeError(f"audit ended {result.state}")
    with session_scope() as session:
        transition(
            session,
            ActionPlan,
            result.action_plan_uuid,
            ActionPlanState.PENDING,
            Actor.OPERATOR,
            expected=ActionPlanState.RECOMMENDED,
        )
    return result.action_plan_uuid


def plan_actions(plan_uuid: str) -> list:
    from sqlalchemy import select

    from watcher_celery.db import Action, ActionExecution, ActionPlan, session_scope

    with session_scope() as session:
        return list(
            session.execute(
                select(
                    Action.uuid, Action.action_type, Action.input_parameters, Action.parents,
                    ActionExecution.started_at, ActionExecution.finished_at,
                )
                .join(ActionPlan, Action.action_plan_id == ActionPlan.id)
                .outerjoin(ActionExecution, ActionExecution.action_uuid == Action.uuid)
                .where(ActionPlan.uuid == plan_uuid)
            )
        )  # fmt: skip


def operation_seconds(cloud_path: str, since: float) -> dict[str, float]:
    """Per resource, how long its operation took in the cloud (its own start and end)."""
    with sqlite3.connect(cloud_path) as conn:
        rows = conn.execute(
            "SELECT resource, started, done_at FROM operations WHERE started >= ?", (since,)
        ).fetchall()
    return {resource: done - started for resource, started, done in rows}


def critical_path(actions: list, seconds: dict[str, float]) -> float:
    """The longest chain of operation times through the DAG."""
    weight = {a.uuid: seconds.get((a.input_parameters or {}).get("resource_id"), 0.0)
              for a in actions}  # fmt: skip
    parents = {a.uuid: list(a.parents or []) for a in actions}
    finish: dict[str, float] = {}

    def end(uuid_: str) -> float:
        if uuid_ not in finish:
            finish[uuid_] = weight[uuid_] + max((end(p) for p in parents[uuid_]), default=0.0)
        return finish[uuid_]

    return max((end(a.uuid) for a in actions), default=0.0)


def handoffs(actions: list) -> list[float]:
    """Seconds between each action's last parent finishing and its own start."""
    finished = {a.uuid: a.finished_at for a in actions}
    gaps = []
    for a in actions:
        ends = [finished[p] for p in a.parents or [] if finished.get(p)]
        if ends and a.started_at:
            gaps.append((a.started_at - max(ends)).total_seconds())
    return gaps


def fresh_cloud(cloud_path: str):
    from watcher_celery.cloud.simulated import SimulatedCloud
    from watcher_celery.config import get_settings

    settings = get_settings()
    return SimulatedCloud.create(
        cloud_path, seed=settings.sim_seed, hosts=settings.sim_hosts,
        instances=settings.sim_instances, op_seconds=settings.sim_op_seconds, replace=True,
    )  # fmt: skip


def warm_up(queue: str, cloud_path: str) -> None:
    """Two parallel migrations, so both worker processes have run every code path once."""
    cloud = fresh_cloud(cloud_path)
    movable = [i for i in cloud.instances() if i.state == "active" and i.host][:2]
    cloud.close()
    steps = [
        ("migrate", {"resource_id": i.uuid, "migration_type": "live", "source_node": i.host}, [])
        for i in movable
    ]
    applier(plan(steps), queue)


def one_run(queue: str, cloud_path: str) -> dict[str, float]:
    fresh_cloud(cloud_path).close()
    plan_uuid = audit_plan()
    began = time.time()
    launched = datetime.now(UTC)
    elapsed = applier(plan_uuid, queue)
    actions = plan_actions(plan_uuid)
    seconds = operation_seconds(cloud_path, began)
    cloud = critical_path(actions, seconds)
    moved = [a for a in actions if a.action_type == "migrate" and a.finished_at]
    per_action = statistics.mean((a.finished_at - a.started_at).total_seconds() for a in moved)
    per_operation = statistics.mean(seconds.values()) if seconds else 0.0
    gaps = handoffs(actions)
    starts = [a.started_at for a in actions if a.started_at]
    ends = [a.finished_at for a in actions if a.finished_at]
    first = (min(starts) - launched).total_seconds()
    return {"plan": elapsed, "cloud": cloud, "n": len(actions), "action": per_action,
            "operation": per_operation, "handoff": statistics.mean(gaps), "handoffs": len(gaps),
            "first": first, "last": (max(ends) - min(starts)).total_seconds()}  # fmt: skip


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    with tempfile.TemporaryDirectory() as tmp:
        env, database = environment(Path(tmp))
        for key in ("WATCHER_SIM_HOSTS", "WATCHER_SIM_INSTANCES", "WATCHER_ACTION_POLL_INTERVAL"):
            env.pop(key, None)  # the defaults are what is measured
            os.environ.pop(key, None)
        from watcher_celery.config import get_settings, reset_settings
        from watcher_celery.migrate import upgrade

        reset_settings()
        upgrade()
        worker = start_worker(env, Path(tmp) / "worker.log")
        settings = get_settings()
        print(
            f"basic on the default simulated cloud ({settings.sim_hosts} hosts, "
            f"{settings.sim_instances} instances, operations of {settings.sim_op_seconds:g} s), "
            f"poll ceiling {settings.action_poll_interval:g} s, Redis + PostgreSQL"
        )
        try:
            warm_up(env["WATCHER_TASK_QUEUE"], env["WATCHER_SIM_PATH"])
            for _ in range(repeats):
                r = one_run(env["WATCHER_TASK_QUEUE"], env["WATCHER_SIM_PATH"])
                print(
                    f"{r['n']:g} actions: plan {r['plan']:6.1f} s | cloud's own operation time "
                    f"{r['cloud']:6.1f} s | ratio {r['plan'] / r['cloud']:4.2f}x\n"
                    f"  per migration: action {r['action']:4.2f} s, operation "
                    f"{r['operation']:4.2f} s ({r['action'] / r['operation']:4.2f}x); hand-off "
                    f"{r['handoff']:4.2f} s mean over {r['handoffs']:g}; first action after "
                    f"{r['first']:4.2f} s; first start to last end {r['last']:5.1f} s"
                )
        finally:
            stop_worker_and_drop(worker, database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
