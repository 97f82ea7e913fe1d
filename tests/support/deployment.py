"""A whole private deployment for fault tests: its own PostgreSQL database, its own broker and
state directory, and api / worker (by role) / beat processes the test starts and kills."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from harness.processes import ROOT, Service, start_api, wait_for


class Deployment:
    def __init__(self, base_env: dict[str, str], database_url: str, broker_url: str,
                 log_dir: Path, **extra: str) -> None:  # fmt: skip
        suffix = uuid.uuid4().hex[:8]
        state = tempfile.mkdtemp(prefix=f"watcher-deploy-{suffix}-")
        self.env = {
            **base_env,
            "WATCHER_DATABASE_URL": database_url,
            "WATCHER_BROKER_URL": broker_url,
            "WATCHER_RESULT_BACKEND": broker_url,
            "WATCHER_TASK_QUEUE": f"watcher-deploy-{suffix}",
            "WATCHER_STATE_DIR": state,
            "WATCHER_SIM_PATH": f"{state}/cloud.sqlite",
            "WATCHER_HOST": f"deploy-{suffix}",
            **extra,
        }
        self.log_dir = log_dir
        self.services: list[Service] = []
        self.engine = create_engine(database_url)

    def migrate(self) -> None:
        """Bring the deployment's database to the newest schema, as an operator would."""
        subprocess.run(
            [sys.executable, "-m", "watcher_celery.cli", "migrate"],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    def worker(self, role: str = "all", **extra: str) -> Service:
        env = {**self.env, "WATCHER_WORKER_ROLE": role, **extra}
        service = Service("worker", env, self.log_dir)
        self.services.append(service)
        service.wait_for_log("ready.")
        return service

    def beat(self) -> Service:
        service = Service("beat", self.env, self.log_dir)
        self.services.append(service)
        service.wait_for_log("beat: Starting", timeout=60)
        return service

    def api(self) -> tuple[Service, str]:
        service, base = start_api(self.env, self.log_dir)
        self.services.append(service)
        return service, base

    def scalar(self, sql: str, **params):
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as connection:
            return list(connection.execute(text(sql), params))

    def wait_all_terminal(self, table: str, uuids: list[str], states: set[str],
                          timeout: float) -> dict[str, str]:  # fmt: skip
        """Wait until every row of ``uuids`` is in one of ``states``; return uuid → state."""

        def settled():
            found = dict(
                self.rows(f"SELECT uuid, state FROM {table} WHERE uuid = ANY(:u)", u=uuids)
            )
            return found if len(found) == len(uuids) and set(found.values()) <= states else None

        try:
            return wait_for(settled, timeout, f"{len(uuids)} {table} to end", interval=0.5)
        except TimeoutError:
            found = dict(
                self.rows(f"SELECT uuid, state FROM {table} WHERE uuid = ANY(:u)", u=uuids)
            )
            raise AssertionError(
                f"not all {table} ended: {sorted(found.values())}\n" + self.tail_logs()
            ) from None

    def tail_logs(self) -> str:
        return "\n".join(f"--- {s.role}\n{s.log()[-2500:]}" for s in self.services)

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop(signal.SIGTERM, timeout=10)
        self.engine.dispose()
