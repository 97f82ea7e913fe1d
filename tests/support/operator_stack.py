"""A private deployment for the operator's-view tests: its own PostgreSQL database, queue,
small simulated cloud and metrics directory, with a real API, worker and beat."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.processes import Service
from tests.support.deployment import Deployment

# A small cloud with quick operations; beat ticks often, so a test sees several of each.
SETTINGS = {
    "WATCHER_SIM_HOSTS": "8",
    "WATCHER_SIM_INSTANCES": "24",
    "WATCHER_SIM_OP_SECONDS": "0.3",
    "WATCHER_SWEEP_INTERVAL": "2",
    "WATCHER_CONTINUOUS_AUDIT_INTERVAL": "1",
    "WATCHER_APPLIER_LEASE": "5",
    "WATCHER_LOG_LEVEL": "INFO",
}
# Extra API processes a test starts next to the stack's: one gunicorn worker, few connections
# (the machine's PostgreSQL is shared).
ONE_PROCESS = {"WATCHER_API_WORKERS": "1", "WATCHER_API_THREADS": "2"}


@dataclass
class OperatorStack:
    deploy: Deployment
    api: str
    worker: Service
    beat: Service

    @property
    def env(self) -> dict[str, str]:
        return self.deploy.env


@contextmanager
def operator_stack(base_env: dict[str, str], database_url: str, broker_url: str,
                   log_dir: Path) -> Iterator[OperatorStack]:  # fmt: skip
    metrics_dir = Path(log_dir) / f"metrics-{uuid.uuid4().hex[:8]}"
    deploy = Deployment(
        {k: v for k, v in base_env.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        database_url,
        broker_url,
        log_dir,
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        **SETTINGS,
    )
    deploy.migrate()
    try:
        worker = deploy.worker()
        beat = deploy.beat()
        _, api = deploy.api()
        yield OperatorStack(deploy, api, worker, beat)
    finally:
        deploy.stop()
