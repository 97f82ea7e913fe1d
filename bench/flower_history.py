"""How many tasks an hour reach Flower's history from an idle deployment: beat's ticks shown
(``WATCHER_FLOWER_SHOW_TICKS=1``, the behaviour before) against hidden (the default).

Flower builds its history from task events; this bench records them as Flower does (an event
receiver on the broker) while a real worker and beat run on the default schedule, for
``--seconds`` each way, and extrapolates to an hour. ``python -m bench.flower_history``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from bench.applier import PG_ADMIN, ROOT, environment


def _start(role: str, env: dict[str, str], log: Path, ready: bytes) -> subprocess.Popen:
    out = open(log, "wb")  # noqa: SIM115 - the process writes it until stopped
    process = subprocess.Popen(
        [sys.executable, "-m", "watcher_celery.cli", role],
        env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while ready not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log.read_text()[-2000:])
        time.sleep(0.2)
    return process


def ours(event: dict, env: dict[str, str]) -> bool:
    """Celery's events go to every listener on the Redis server (pub/sub ignores the database):
    keep this deployment's, by its worker's node name or, for ``task-sent``, its queues."""
    if event.get("type") == "task-sent":
        return str(event.get("queue", "")).startswith(env["WATCHER_TASK_QUEUE"] + ".")
    return str(event.get("hostname", "")).endswith("@" + env["WATCHER_HOST"])


def count_events(env: dict[str, str], seconds: float) -> Counter:
    """Distinct task ids per task name seen in this deployment's task events in ``seconds``."""
    from celery import Celery

    app = Celery(broker=env["WATCHER_BROKER_URL"])
    names: dict[str, str] = {}

    def record(event):
        if event.get("uuid") and ours(event, env):
            names.setdefault(event["uuid"], "")
            if event.get("name"):
                names[event["uuid"]] = event["name"]

    def listen():
        with app.connection() as connection:
            app.events.Receiver(connection, handlers={"*": record}).capture(limit=None)

    threading.Thread(target=listen, daemon=True).start()
    time.sleep(seconds)
    return Counter(name or "(unnamed)" for name in dict(names).values())


def run(env: dict[str, str], show_ticks: bool, seconds: float, logs: Path) -> Counter:
    env = {**env, "WATCHER_FLOWER_SHOW_TICKS": "1" if show_ticks else "0"}
    tag = "shown" if show_ticks else "hidden"
    worker = _start("worker", env, logs / f"worker-{tag}.log", b"ready.")
    beat = _start("beat", env, logs / f"beat-{tag}.log", b"beat: Starting")
    try:
        return count_events(env, seconds)
    finally:
        for process in (beat, worker):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="watcher-bench-flower-"))
    env, database = environment(state)
    env["WATCHER_LOG_LEVEL"] = "INFO"
    subprocess.run([sys.executable, "-m", "watcher_celery.cli", "migrate"], env=env, cwd=ROOT,
                   check=True, capture_output=True)  # fmt: skip
    try:
        results = {shown: run(env, shown, args.seconds, state) for shown in (True, False)}
    finally:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    scale = 3600.0 / args.seconds
    print(f"tasks an hour in Flower's history, idle deployment ({args.seconds:g} s each way):")
    for shown, counts in results.items():
        label = "ticks shown (before)" if shown else "ticks hidden (now)"
        print(f"  {label}: {sum(counts.values()) * scale:.0f}")
        for name, count in counts.most_common():
            print(f"    {name}: {count * scale:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
