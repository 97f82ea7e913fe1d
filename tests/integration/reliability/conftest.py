"""Fault tests: each test gets a private deployment (database, redis-server, processes)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from harness.databases import create_pg_database, drop_pg_database
from tests.conftest import REDIS_URL, RUN_ID
from tests.support.deployment import Deployment
from tests.support.rabbitmq import RabbitVhost
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
    deploy.migrate()
    yield deploy
    deploy.stop()
    drop_pg_database(name)


@pytest.fixture(params=["redis", "rabbitmq"])
def any_broker_deployment(request, service_env, log_dir) -> Iterator[Deployment]:
    """A private deployment on each production broker in turn: a redis-server of its own, or
    a vhost of its own on the machine's RabbitMQ (results then go to the machine's Redis)."""
    name = f"wc_fault_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    url = create_pg_database(name)
    if request.param == "redis":
        server = RedisServer().start()
        deploy = Deployment(service_env, url, server.url, log_dir, **FAST)
        cleanup = server.kill
    else:
        vhost = RabbitVhost().create()
        deploy = Deployment(
            service_env, url, vhost.url, log_dir, WATCHER_RESULT_BACKEND=REDIS_URL, **FAST
        )
        cleanup = vhost.delete
    deploy.migrate()
    yield deploy
    deploy.stop()
    cleanup()
    drop_pg_database(name)


def pytest_terminal_summary(terminalreporter) -> None:
    """The fault suite's counts, one line per fault (docs/reliability.md quotes them)."""
    from tests.integration.reliability.checks import RESULTS

    if not RESULTS:
        return
    terminalreporter.section("fault injection: counts")
    for row in RESULTS:
        terminalreporter.write_line(", ".join(f"{key} {value}" for key, value in row.items()))
