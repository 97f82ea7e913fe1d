"""How long a migration action takes against how long real Nova itself works on it.

Starts the real-OpenStack tier of ``harness/realcloud`` (Keystone, Placement, Nova with three
fake computes, Ironic; own MariaDB databases and RabbitMQ vhost), a fresh PostgreSQL database
and one real worker on Redis with the default settings (polling ceiling
``WATCHER_ACTION_POLL_INTERVAL`` 5 s), then runs one-action plans, one after the other:
``REPEATS`` live migrations and ``REPEATS`` cold migrations (+ confirm) of an ``m1.small``
server between ``compute-1`` and ``compute-2``. Two live migrations first warm the worker up
(openstacksdk log-in in each of its processes) and are not counted. Everything is stopped by
PID and dropped at the end, as the tier's fixtures do.

Per action, measured in the same run:

* action: the applier's execution record, started → finished (what the action cost);
* Nova: Nova's own record of its work, from its instance actions: for each request
  (``live-migration``; ``migrate`` then ``confirmResize``) the request's ``start_time`` (set
  by nova-api when it accepts the request) → the latest ``finish_time`` of its events (the
  conductor's and the computes' steps), for the last request → the migration record's
  ``updated_at`` when that is later (Nova writes ``completed`` after the live migration's
  last event). A cold migration counts both requests, not the time the server sat in
  VERIFY_RESIZE waiting for the client's confirm: that wait is the client's;
* record: the migration record's ``created_at`` → ``updated_at`` at its final status
  (``completed``; ``confirmed``), shown for comparison: it starts later (the conductor writes
  it after the 202) and for a cold migration includes the wait for the confirm.

Nova's schema stores these times in whole seconds (MariaDB ``DATETIME``), too coarse for
operations of about a second; the bench widens those columns of its own run's cell database
to ``DATETIME(6)`` before it starts, so MariaDB keeps the microseconds Nova already writes
(``utcnow()`` in nova-api and nova-conductor). The ratio reported per kind is the sum of
action times ÷ the sum of Nova times; the target is ≤ 1.2×.

    .venv/bin/python -m bench.realcloud_actions [REPEATS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.applier import applier, environment, plan
from harness.databases import drop_pg_database
from watcher_celery.queues import APPLIER, queue_name

# The two hosts the server moves between, and its flavor.
HOSTS = ("compute-1", "compute-2")
FLAVOR = "m1.small"
# Nova's request names in os-instance-actions.
REQUESTS = {"live": ("live-migration",), "cold": ("migrate", "confirmResize")}
FINAL = {"live": "completed", "cold": "confirmed"}


# Nova's columns of the times read here; MariaDB keeps whole seconds unless widened.
NOVA_TIMES = {
    "instance_actions": ("start_time", "finish_time", "created_at", "updated_at"),
    "instance_actions_events": ("start_time", "finish_time", "created_at", "updated_at"),
    "migrations": ("created_at", "updated_at"),
}


def widen_nova_times(db) -> None:
    """Let this run's cell database keep Nova's times to the microsecond. Nova takes them from
    ``utcnow()`` in nova-api (a request's start_time) and nova-conductor (event times, the
    migration record's created_at/updated_at), with microseconds; a ``DATETIME`` column drops
    them, and a one-second operation cannot be timed in whole seconds."""
    for table, columns in NOVA_TIMES.items():
        changes = ", ".join(f"MODIFY `{c}` DATETIME(6) NULL" for c in columns)
        db.execute("nova", f"ALTER TABLE `{table}` {changes}")


def nova_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.rstrip("Z")) if value else None


def nova_work(view, server_id: str, kind: str) -> tuple[float, float, datetime, datetime]:
    """Seconds Nova worked on the newest ``kind`` requests of the server (see module doc),
    the migration record's created_at → updated_at, when nova-api took the first request and
    when Nova's last write of the operation was (naive UTC)."""
    newest = max(view.migrations(server_id), key=lambda m: m["id"])
    if newest["status"] != FINAL[kind]:
        raise RuntimeError(f"{kind} migration ended {newest['status']}")
    updated = nova_time(newest["updated_at"])
    record = (updated - nova_time(newest["created_at"])).total_seconds()
    listed = view.nova("GET", f"/servers/{server_id}/os-instance-actions")["instanceActions"]
    total, first, last = 0.0, None, None
    for name in REQUESTS[kind]:
        request = next(a for a in listed if a["action"] == name)  # Nova lists newest first
        detail = view.nova(
            "GET", f"/servers/{server_id}/os-instance-actions/{request['request_id']}"
        )["instanceAction"]
        began = nova_time(detail["start_time"])
        ended = max(nova_time(e["finish_time"]) for e in detail["events"] if e["finish_time"])
        if name == REQUESTS[kind][-1]:  # the final status is written after the last event
            ended = max(ended, updated)
        total += (ended - began).total_seconds()
        first, last = first or began, ended
    return total, record, first, last


def action_times(plan_uuid: str) -> tuple[datetime, datetime]:
    """The applier's execution record of the plan's one action: started, finished (naive UTC)."""
    from bench.action_latency import plan_actions

    (row,) = plan_actions(plan_uuid)
    return (row.started_at.astimezone(UTC).replace(tzinfo=None),
            row.finished_at.astimezone(UTC).replace(tzinfo=None))  # fmt: skip


def one_migration(view, queue: str, server_id: str, kind: str, source: str, dest: str) -> dict:
    params = {"resource_id": server_id, "migration_type": kind, "source_node": source,
              "destination_node": dest}  # fmt: skip
    plan_uuid = plan([("migrate", params, [])])
    plan_s = applier(plan_uuid, queue)
    server = view.wait_server(server_id, "ACTIVE", timeout=60)
    if server["OS-EXT-SRV-ATTR:host"] != dest:
        raise RuntimeError(f"{kind} migration left the server on {server['OS-EXT-SRV-ATTR:host']}")
    started, finished = action_times(plan_uuid)
    nova, record, first, last = nova_work(view, server_id, kind)
    return {"kind": kind, "plan": plan_s, "action": (finished - started).total_seconds(),
            "nova": nova, "record": record,
            "before": (first - started).total_seconds(),
            "after": (finished - last).total_seconds()}  # fmt: skip


def measure(view, queue: str, repeats: int) -> list[dict]:
    server_id = view.create_server(f"bench-{uuid.uuid4().hex[:6]}", FLAVOR, host=HOSTS[0])
    # Warm-up, not counted: a worker process logs in to the cloud on its first action (two
    # processes; which one takes a task is the pool's choice, so this is likely, not sure).
    one_migration(view, queue, server_id, "live", HOSTS[0], HOSTS[1])
    one_migration(view, queue, server_id, "live", HOSTS[1], HOSTS[0])
    where = 0
    results = []
    for kind in ("live", "cold"):
        for _ in range(repeats):
            source, dest = HOSTS[where], HOSTS[1 - where]
            results.append(one_migration(view, queue, server_id, kind, source, dest))
            where = 1 - where
    return results


def report(results: list[dict], poll_ceiling: float) -> None:
    print(
        f"one-action plans on real Nova 34 (fake driver), {FLAVOR} between {' and '.join(HOSTS)},"
        f" one worker on Redis + PostgreSQL, poll ceiling {poll_ceiling:g} s\n"
        "action = the applier's execution record (started -> finished); Nova = Nova's instance "
        "actions, each request's start_time -> its last event's finish_time or the final "
        "migration status, if later (migrate + "
        "confirmResize for cold; Nova's time columns widened to microseconds); record = the "
        "migration record's created_at -> updated_at (cold: includes the wait for the confirm);\n"
        "before = action start -> nova-api took the request; after = Nova's last write "
        "-> action end"
    )
    print(
        f"{'kind':<6}{'plan s':>8}{'action s':>10}{'Nova s':>8}{'record s':>10}{'ratio':>8}"
        f"{'before s':>10}{'after s':>9}"
    )
    for r in results:
        ratio = f"{r['action'] / r['nova']:.2f}x" if r["nova"] else "-"
        print(
            f"{r['kind']:<6}{r['plan']:8.2f}{r['action']:10.2f}{r['nova']:8.2f}"
            f"{r['record']:10.2f}{ratio:>8}{r['before']:10.2f}{r['after']:9.2f}"
        )
    for kind in ("live", "cold"):
        rows = [r for r in results if r["kind"] == kind]
        action, nova = sum(r["action"] for r in rows), sum(r["nova"] for r in rows)
        print(
            f"{kind}: {len(rows)} runs, action {action:.2f} s / Nova {nova:.2f} s = "
            f"{action / nova:.2f}x (target <= 1.2x); mean action {action / len(rows):.2f} s, "
            f"mean plan {sum(r['plan'] for r in rows) / len(rows):.2f} s; mean before "
            f"{sum(r['before'] for r in rows) / len(rows):.2f} s, after "
            f"{sum(r['after'] for r in rows) / len(rows):.2f} s"
        )


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    from harness.processes import Service
    from harness.realcloud.cloud import running_cloud
    from harness.realcloud.keystone import running_keystone
    from harness.realcloud.mariadb import MariaDB
    from harness.realcloud.rabbitmq import RabbitVhost
    from harness.realcloud.view import CloudView

    prefix = f"wcrc_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env, database = environment(work)
        for key in ("WATCHER_SIM_HOSTS", "WATCHER_SIM_INSTANCES", "WATCHER_ACTION_POLL_INTERVAL"):
            env.pop(key, None)  # the defaults are what is measured
            os.environ.pop(key, None)
        from watcher_celery.config import get_settings, reset_settings
        from watcher_celery.db import reset_engine
        from watcher_celery.migrate import upgrade

        reset_settings()
        upgrade()
        db = MariaDB(prefix)
        try:
            with (
                running_keystone(db, work) as keystone,
                running_cloud(db, keystone, work, RabbitVhost(prefix)) as cloud,
            ):
                env.update(
                    WATCHER_CLOUD="openstack",
                    WATCHER_OS_CLOUD="watcher",
                    OS_CLIENT_CONFIG_FILE=str(cloud.clouds_yaml),
                    WATCHER_ACTION_TIMEOUT="180",
                    WATCHER_LOG_LEVEL="INFO",  # the worker says "ready." at INFO
                )
                widen_nova_times(db)
                worker = Service("worker", env, work)
                view = CloudView(cloud)
                try:
                    worker.wait_for_log("ready.")
                    started = time.monotonic()
                    queue = queue_name(env["WATCHER_TASK_QUEUE"], APPLIER)
                    results = measure(view, queue, repeats)
                    report(results, get_settings().action_poll_interval)
                    print(f"(measured in {time.monotonic() - started:.0f} s)")
                finally:
                    view.close()
                    worker.stop()
        finally:
            db.close()
            reset_engine()
            drop_pg_database(database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
