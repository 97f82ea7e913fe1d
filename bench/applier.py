"""Applier throughput against a bare Celery canvas, on the same broker, in the same run.

Starts one Celery worker (prefork, ``WATCHER_WORKER_CONCURRENCY``, default 2) on Redis with a
fresh PostgreSQL database, then times, alternating the two sides:

* sequence: a plan of N nops each the parent of the next (the applier sends it as one chain)
  vs a bare ``chain`` of N no-op tasks;
* parallel: a plan of N independent nops vs a bare ``group`` of N no-op tasks;
* migrations: a plan of N live migrations on the simulated cloud (operations take no simulated
  time) vs the same bare group of no-ops (what the canvas alone costs).

Each pair runs ``REPEATS`` times (default 3), the two sides back to back, and the report gives
the median of each side: the machine is shared, and single runs swing by 2x. Prints actions/s
and the overhead ratio (applier time / bare time). The target is a ratio of at most 1.5.

    .venv/bin/python -m bench.applier [N] [REPEATS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from harness.databases import create_pg_database, drop_pg_database
from watcher_celery.db import reset_engine
from watcher_celery.queues import ROLES, queue_name

ROOT = Path(__file__).resolve().parents[1]
REDIS = os.environ.get("WATCHER_TEST_REDIS", "redis://127.0.0.1:6379/0")


def environment(state: Path) -> tuple[dict[str, str], str]:
    name = f"wc_bench_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "WATCHER_DATABASE_URL": create_pg_database(name),
        "WATCHER_BROKER_URL": REDIS,
        "WATCHER_RESULT_BACKEND": REDIS,
        "WATCHER_TASK_QUEUE": f"watcher-bench-{name}",
        "WATCHER_STATE_DIR": str(state),
        "WATCHER_HOST": f"bench-{name}",
        "WATCHER_LOG_LEVEL": "WARNING",
        "WATCHER_SIM_PATH": str(state / "cloud.sqlite"),
        "WATCHER_SIM_HOSTS": "40",
        "WATCHER_SIM_INSTANCES": "1200",
        "WATCHER_ACTION_POLL_INTERVAL": "0.01",
    }
    os.environ.update(env)
    return env, name


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    argv = [
        sys.executable, "-m", "celery", "-A", "watcher_celery.celery_app:app", "worker",
        "--include", "bench.noop_tasks", "--queues", ",".join(
            [env["WATCHER_TASK_QUEUE"], *(queue_name(env["WATCHER_TASK_QUEUE"], r) for r in ROLES)]
        ),
        "--concurrency", env.get("WATCHER_WORKER_CONCURRENCY", "2"), "--loglevel", "INFO",
        "--hostname", f"{env['WATCHER_HOST']}@%h",
    ]  # fmt: skip
    out = open(log, "wb")  # noqa: SIM115 - the worker writes it until stopped
    process = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while b"ready." not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log.read_text()[-2000:])
        time.sleep(0.2)
    return process


def stop_worker_and_drop(worker: subprocess.Popen, database: str) -> None:
    """Stop the bench's worker (its whole process group) and drop the bench's database."""
    os.killpg(worker.pid, 15)
    worker.wait(30)
    reset_engine()
    drop_pg_database(database)


def wait(predicate, timeout: float = 600, interval: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark run did not finish")
        time.sleep(interval)


def bare(n: int, parallel: bool, queue: str) -> float:
    """Seconds for a bare chain (or group) of n no-op tasks, until its last one ran."""
    import redis
    from celery import chain, group

    from bench.noop_tasks import count, noop

    client = redis.Redis.from_url(REDIS)
    key = f"bench:{uuid.uuid4().hex}"
    if parallel:
        canvas = group(chain(noop.si(i), count.si(key)) for i in range(n))
        expected = n
    else:
        canvas = chain(*(noop.si(i) for i in range(n)), count.si(key))
        expected = 1
    start = time.perf_counter()
    canvas.apply_async(queue=queue)
    wait(lambda: int(client.get(key) or 0) >= expected)
    elapsed = time.perf_counter() - start
    client.delete(key)
    return elapsed


def plan(steps: list[tuple[str, dict, list[int]]]) -> str:
    sys.path.insert(0, str(ROOT))
    from harness.rows import make_dag_plan

    return make_dag_plan(steps)["plan"]


def applier(plan_uuid: str, queue: str) -> float:
    """Seconds from launch to the plan's final state."""
    from harness.rows import plan_state
    from watcher_celery.applier.tasks import launch_action_plan

    start = time.perf_counter()
    launch_action_plan.apply_async((plan_uuid,), queue=queue)
    wait(lambda: plan_state(plan_uuid)[0] in ("SUCCEEDED", "FAILED", "CANCELLED"), interval=0.05)
    elapsed = time.perf_counter() - start
    state = plan_state(plan_uuid)[0]
    if state != "SUCCEEDED":
        raise RuntimeError(f"plan {plan_uuid} ended {state}")
    return elapsed


def migrations(n: int) -> list[tuple[str, dict, list[int]]]:
    from watcher_celery.cloud.factory import get_cloud

    cloud = get_cloud()
    cloud.set_op_seconds(0.0)
    movable = [i for i in cloud.instances() if i.state == "active" and i.host][:n]
    return [
        ("migrate", {"resource_id": i.uuid, "migration_type": "live", "source_node": i.host}, [])
        for i in movable
    ]


def compare(name: str, n: int, make_plan, parallel: bool, queue: str, repeats: int) -> None:
    """Run applier and bare canvas ``repeats`` times, back to back; report the medians."""
    applier_times, bare_times = [], []
    for _ in range(repeats):
        applier_times.append(applier(plan(make_plan()), queue))
        bare_times.append(bare(n, parallel, queue))
    report(name, n, statistics.median(applier_times), statistics.median(bare_times))


def report(name: str, n: int, applier_s: float, bare_s: float) -> None:
    print(
        f"{name:<11} n={n:<5} applier {applier_s:7.2f}s {n / applier_s:8.1f} actions/s | "
        f"bare canvas {bare_s:7.2f}s {n / bare_s:8.1f} tasks/s | ratio {applier_s / bare_s:5.2f}x"
    )


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        env, database = environment(Path(tmp))
        from watcher_celery.config import reset_settings
        from watcher_celery.migrate import upgrade

        reset_settings()
        upgrade()
        worker = start_worker(env, Path(tmp) / "worker.log")
        queue = env["WATCHER_TASK_QUEUE"]
        try:
            bare(20, False, queue)  # warm the worker up
            compare(
                "sequence",
                n,
                lambda: [("nop", {"message": str(i)}, [i - 1] if i else []) for i in range(n)],
                False,
                queue,
                repeats,
            )
            compare(
                "parallel",
                n,
                lambda: [("nop", {"message": str(i)}, []) for i in range(n)],
                True,
                queue,
                repeats,
            )
            compare("migrations", n, lambda: migrations(n), True, queue, repeats)
        finally:
            stop_worker_and_drop(worker, database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
