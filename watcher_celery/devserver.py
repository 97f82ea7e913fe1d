"""``watcher-celery dev``: API, worker and beat on the embedded defaults, stopped together.

A small supervisor rather than a Procfile runner: Ctrl-C (or SIGTERM) stops every process it
started, and if one of them dies the others are stopped too, so nothing is left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from watcher_celery.config import get_settings
from watcher_celery.migrate import upgrade

PROCESSES = ("api", "worker", "beat")


def _spawn(role: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "watcher_celery.cli", role], start_new_session=True
    )


def _stop(children: dict[str, subprocess.Popen]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.terminate()  # the process's own shutdown stops its children
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def run() -> int:
    settings = get_settings()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    upgrade()
    print(
        f"watcher-celery: API on http://{settings.api_host}:{settings.api_port}/ "
        f"(state in {settings.state_dir}); Ctrl-C stops everything.",
        flush=True,
    )
    children = {role: _spawn(role) for role in PROCESSES}
    stopping = False

    def _on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    exit_code = 0
    while not stopping:
        dead = [role for role, child in children.items() if child.poll() is not None]
        if dead:
            print(f"watcher-celery: {', '.join(dead)} stopped; stopping the rest", flush=True)
            exit_code = 1
            break
        time.sleep(0.5)
    _stop(children)
    return exit_code
