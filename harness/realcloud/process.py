"""One OpenStack service process of the tier, its output in a log file, stopped by its PID."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from harness.processes import wait_for

SERVE_WSGI = Path(__file__).with_name("serve_wsgi.py")


class OpenStackProcess:
    """A started OpenStack process (a WSGI app under ``serve_wsgi.py`` or a service script)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            argv, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @classmethod
    def wsgi(
        cls, name: str, bin_dir: Path, app: str, port: int, env: dict[str, str], log_dir: Path
    ) -> OpenStackProcess:
        # -P: this directory holds keystone.py and the like, which must not shadow the services
        argv = [str(bin_dir / "python"), "-P", str(SERVE_WSGI), app, "127.0.0.1", str(port)]
        return cls(name, argv, env, log_dir)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def rss_mb(self) -> float:
        """Resident memory of this process and every process of its session (its children)."""
        result = subprocess.run(
            ["ps", "-o", "rss=", "-s", str(self.pid)], capture_output=True, text=True, check=False
        )
        return sum(int(line) for line in result.stdout.split()) / 1024

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited ({self.process.returncode}):\n{self.log()[-4000:]}"
            )

    def wait_until(self, predicate, timeout: float, what: str) -> None:
        """Wait for ``predicate`` while failing at once, with the log, if the process dies."""

        def ready():
            self.check_alive()
            return predicate()

        wait_for(ready, timeout, f"{self.name}: {what}", interval=0.2)

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM this process (its own session), then SIGKILL what is left of it."""
        self.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.process.poll() is None:
            self.process.wait()
        self._log.close()


def stop_all(processes: list[OpenStackProcess], timeout: float = 10) -> None:
    """SIGTERM every process at once, give them ``timeout`` seconds together, then SIGKILL."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        process.stop(timeout=max(0.0, deadline - time.monotonic()))


def run_command(name: str, argv: list[str], log_dir: Path, env: dict[str, str] | None = None):
    """Run a one-shot command (``nova-manage ...``) to completion, or raise with its log."""
    command = OpenStackProcess(name, argv, env or {**os.environ}, log_dir)
    try:
        code = command.process.wait(timeout=600)
    finally:
        command.stop()
    if code:
        raise RuntimeError(f"{' '.join(argv[:4])} failed ({code}):\n{command.log()[-4000:]}")


def answers(url: str) -> bool:
    """True when ``url`` answers 200 (a service's unauthenticated version document)."""
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def elapsed(start: float) -> float:
    return round(time.monotonic() - start, 2)
