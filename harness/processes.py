"""Start and stop the project's real processes (worker, API, dev supervisor) for tests and
benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


class Service:
    """One ``watcher-celery <role>`` process with its output in a log file; ``launch`` wraps
    its command line (run it on another host: ``netns.Host.command``)."""

    def __init__(self, role: str, env: dict[str, str], log_dir: Path,
                 launch: Callable[[list[str]], list[str]] | None = None) -> None:  # fmt: skip
        self.role = role
        self.log_path = log_dir / f"{role}-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        argv = [sys.executable, "-m", "watcher_celery.cli", role]
        self.process = subprocess.Popen(
            launch(argv) if launch else argv,
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        def seen():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.role} exited early:\n{self.log()[-3000:]}")
            return text in self.log()

        wait_for(seen, timeout, f"{self.role} to log {text!r}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None or sig == signal.SIGKILL:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        self._log.close()


def start_worker(env: dict[str, str], log_dir: Path) -> Service:
    worker = Service("worker", env, log_dir)
    worker.wait_for_log("ready.")
    return worker


def start_api(env: dict[str, str], log_dir: Path, port: int | None = None) -> tuple[Service, str]:
    port = port or free_port()
    api = Service("api", {**env, "WATCHER_API_PORT": str(port)}, log_dir)
    base = f"http://127.0.0.1:{port}"
    wait_until_answers(api, base + "/")
    return api, base


def wait_until_answers(service: Service, url: str, timeout: float = 60) -> None:
    """Wait for ``url`` to answer 200; a service that exits meanwhile raises with its log."""

    def answers():
        if service.process.poll() is not None:
            raise RuntimeError(f"{service.role} exited early:\n{service.log()[-3000:]}")
        try:
            return requests.get(url, timeout=5).status_code == 200
        except requests.RequestException:
            return False

    wait_for(answers, timeout, f"{service.role} to answer")


def start_beat(env: dict[str, str], log_dir: Path) -> Service:
    """celery beat looking at the audits table every second (CONTINUOUS audits run)."""
    return Service("beat", {**env, "WATCHER_CONTINUOUS_AUDIT_INTERVAL": "1"}, log_dir)
