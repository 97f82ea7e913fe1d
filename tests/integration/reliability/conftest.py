"""Fault tests: each test gets a private deployment (database, redis-server, processes)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import RUN_ID, create_pg_database, drop_pg_database
from tests.support.deployment import Deployment
from tests.support.processes import ROOT
from tests.support.redis_server import RedisServer

# Short periods so a fault heals within a test's patience; docs/reliability.md gives defaults.
FAST = {
    "WATCHER_OUTBOX_RELAY_INTERVAL": "0.5",
    "WATCHER_SWEEP_INTERVAL": "2",
    "WATCHER_DISPATCH_LEASE": "6",
    "WATCHER_BROKER_VISIBILITY_TIMEOUT": "15",
    "WATCHER_APPLIER_LEASE": "5",
    "WATCHER_LOG_LEVEL": "INFO",
}


@pytest.fixture()
def broker() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.kill()


@pytest.fixture()
def deployment(service_env, log_dir, broker) -> Iterator[Deployment]:
    name = f"wc_fault_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    url = create_pg_database(name)
    deploy = Deployment(service_env, url, broker.url, log_dir, **FAST)
    subprocess.run(
        [sys.executable, "-m", "watcher_celery.cli", "migrate"],
        env=deploy.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    yield deploy
    deploy.stop()
    drop_pg_database(name)
