"""Shared fixtures: a PostgreSQL database and a Redis queue per test run, real processes.

Each run gets its own database (``wc_test_<random>``) and its own Celery queue name, so runs
on one machine do not see each other's rows or tasks.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.databases import (
    create_pg_database,
    drop_pg_database,
    sqlalchemy_pg_url,
    use_database,
)
from harness.processes import start_api, start_worker
from watcher_celery.config import reset_settings
from watcher_celery.db import reset_engine

REDIS_URL = os.environ.get("WATCHER_TEST_REDIS", "redis://127.0.0.1:6379/0")
RUN_ID = uuid.uuid4().hex[:10]
PG_DATABASE = f"wc_test_{RUN_ID}"


# The run's environment is fixed before any test module is imported: modules read settings
# (and Celery its configuration) at import, and the test process, the workers and the API
# must agree on the database, the broker, the queue and the simulated cloud's files.
STATE_DIR = tempfile.mkdtemp(prefix=f"watcher-test-{RUN_ID}-")
os.environ.update(
    WATCHER_DATABASE_URL=sqlalchemy_pg_url(PG_DATABASE),
    WATCHER_BROKER_URL=REDIS_URL,
    WATCHER_RESULT_BACKEND=REDIS_URL,
    WATCHER_TASK_QUEUE=f"watcher-test-{RUN_ID}",
    WATCHER_STATE_DIR=STATE_DIR,
    WATCHER_HOST=f"test-{RUN_ID}",
)


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for the whole run."""
    from watcher_celery.migrate import upgrade

    url = create_pg_database(PG_DATABASE)
    use_database(url)
    upgrade()
    yield url
    reset_engine()
    drop_pg_database(PG_DATABASE)
    shutil.rmtree(STATE_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def service_env(pg_url) -> dict[str, str]:
    """Environment for real worker and API processes: PostgreSQL, Redis, a private queue."""
    use_database(pg_url)
    return {**os.environ, "WATCHER_DATABASE_URL": pg_url, "WATCHER_LOG_LEVEL": "INFO"}


@pytest.fixture(scope="session")
def worker(service_env, log_dir):
    service = start_worker(service_env, log_dir)
    yield service
    service.stop()


@pytest.fixture(scope="session")
def api(service_env, log_dir):
    service, base = start_api(service_env, log_dir)
    yield base
    service.stop()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    """A migrated SQLite database file: the embedded default's engine."""
    from watcher_celery.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/watcher.sqlite"
    previous = os.environ.get("WATCHER_DATABASE_URL")
    use_database(url)
    upgrade()
    if previous is not None:
        use_database(previous)
    return url


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request, pg_url, sqlite_url) -> Iterator[str]:
    """Run the test once on PostgreSQL and once on SQLite, both migrated to head."""
    url = pg_url if request.param == "postgresql" else sqlite_url
    use_database(url)
    yield url
    use_database(pg_url)


@pytest.fixture(autouse=True)
def _settle_raw_plans():
    """Plans written raw by a test must not stay ONGOING for the tests after it."""
    yield
    from harness.rows import RAW_PLANS, settle_raw_plans

    if RAW_PLANS:
        settle_raw_plans()


@pytest.fixture()
def settings_env(monkeypatch):
    """A monkeypatch for environment settings: the test sets variables and calls
    ``reset_settings()``; afterwards the run's own settings come back."""
    yield monkeypatch
    monkeypatch.undo()
    reset_settings()
