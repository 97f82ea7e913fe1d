"""Persisting a 10,000-host audit's plan on PostgreSQL: the bulk write against the ORM's.

Writes ``--actions`` migrate actions (83,000 by default: basic's plan at 10,000 hosts; each
with two parents, as the weight planner chains them) with ``plan_store.save_plan`` (one
``COPY``) and, for the ratio, through the ORM's bulk ``insert(Action)`` with a list of dicts
(the way ``save_plan`` wrote them before), alternately, ``--rounds`` times each, each in its
own transaction, into a database the bench creates and drops. Prints wall-clock and CPU
seconds of this process per write and the ratios in the run (the server's own work is in the
wall-clock seconds only). Run: ``.venv/bin/python bench/plan_persist.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid

import psycopg

ADMIN_URL = os.environ.get("WATCHER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _planned(count: int) -> list:
    from watcher_celery.plugins import PlannedAction

    return [
        PlannedAction(
            "migrate",
            {
                "migration_type": "live",
                "source_node": f"host-{i % 9000:05d}",
                "destination_node": f"host-{i % 777:05d}",
                "resource_name": f"vm-{i}",
                "resource_id": str(uuid.UUID(int=i)),
            },
            (i - 2, i - 1) if i > 1 else (),
        )
        for i in range(count)
    ]


def _write(way: str, planned: list) -> tuple[float, float]:
    from sqlalchemy import insert, select

    from watcher_celery.db import Action, ActionPlan, Audit, Goal, Strategy, session_scope
    from watcher_celery.db.models import new_uuid, utcnow
    from watcher_celery.decision_engine.plan_store import save_plan

    started, cpu = time.perf_counter(), time.process_time()
    with session_scope() as session:
        goal = session.scalars(select(Goal).where(Goal.name == "dummy")).one()
        strategy = session.scalars(select(Strategy).where(Strategy.name == "dummy")).one()
        audit = Audit(
            name=f"bench-{uuid.uuid4().hex}", audit_type="ONESHOT", state="ONGOING",
            goal_id=goal.id, strategy_id=strategy.id,
        )  # fmt: skip
        session.add(audit)
        session.flush()
        if way == "bulk":
            save_plan(session, audit, strategy, planned, [], None)
        else:
            plan = ActionPlan(audit_id=audit.id, strategy_id=strategy.id, state="RECOMMENDED")
            session.add(plan)
            session.flush()
            uuids, now = [new_uuid() for _ in planned], utcnow()
            rows = [
                {
                    "uuid": uuids[k],
                    "action_plan_id": plan.id,
                    "action_type": p.action_type,
                    "input_parameters": p.input_parameters,
                    "state": "PENDING",
                    "parents": [uuids[j] for j in p.parents],
                    "created_at": now,
                    "deleted": 0,
                }  # fmt: skip
                for k, p in enumerate(planned)
            ]
            session.execute(insert(Action), rows)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=int, default=83_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    name = f"wc_bench_persist_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    os.environ["WATCHER_DATABASE_URL"] = f"{base}/{name}"
    from watcher_celery.db import reset_engine
    from watcher_celery.decision_engine.sync import sync_plugins
    from watcher_celery.migrate import upgrade

    try:
        upgrade()
        sync_plugins()
        planned = _planned(args.actions)
        spent: dict[str, list[tuple[float, float]]] = {"orm": [], "bulk": []}
        for _ in range(args.rounds):
            for way in ("orm", "bulk"):
                wall, cpu = _write(way, planned)
                spent[way].append((wall, cpu))
                print(f"{way:<5} {args.actions:,} actions: {wall:6.2f} s, CPU {cpu:5.2f} s")
        orm, bulk = (min(spent[w]) for w in ("orm", "bulk"))
        print(
            f"bulk write against the ORM's: {orm[0] / bulk[0]:.1f}x faster, "
            f"{orm[1] / bulk[1]:.1f}x less CPU in this process (best of {args.rounds})"
        )
    finally:
        reset_engine()
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
