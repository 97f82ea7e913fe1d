"""A private deployment for the dashboard's browser tests (its own database, queue and
simulated cloud, whose plans the tests apply) and Debian's Chromium driven by Playwright.

Screenshots go to ``WATCHER_SCREENSHOTS`` when set (``docs/img`` for the README), else to the
test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import REDIS_URL, RUN_ID, create_pg_database, drop_pg_database
from tests.support.deployment import Deployment
from watcher_celery.cloud.factory import open_simulated
from watcher_celery.config import get_settings

# Simulated operations take 0.4 s, so the consolidation plan (tens of migrations) runs in
# seconds and still shows actions going ONGOING one after the other.
SIMULATION = {
    "WATCHER_SIM_OP_SECONDS": "0.4",
    "WATCHER_OUTBOX_RELAY_INTERVAL": "0.3",
    "WATCHER_LOG_LEVEL": "INFO",
}


# The heat map's scale: 10,000 hosts (60,000 instances) over four zones.
# Collecting 10,000 hosts takes seconds; a loaded machine gets room before the API gives up.
LARGE = {
    "WATCHER_SIM_HOSTS": "10000",
    "WATCHER_SIM_INSTANCES": "60000",
    "WATCHER_DE_ANSWER_TIMEOUT": "120",
}


def _deployment(service_env, log_dir, extra: dict[str, str]) -> Iterator[Deployment]:
    name = f"wc_dash_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    url = create_pg_database(name)
    deploy = Deployment(service_env, url, REDIS_URL, log_dir, **SIMULATION, **extra)
    deploy.migrate()
    # The simulated cloud is generated here, before any question times out waiting for it.
    settings = get_settings().model_copy(
        update={
            "sim_path": deploy.env["WATCHER_SIM_PATH"],
            "sim_hosts": int(deploy.env.get("WATCHER_SIM_HOSTS", "16")),
            "sim_instances": int(deploy.env.get("WATCHER_SIM_INSTANCES", "120")),
            "sim_op_seconds": float(deploy.env["WATCHER_SIM_OP_SECONDS"]),
        }
    )
    open_simulated(settings).close()
    deploy.worker()
    try:
        yield deploy
    finally:
        deploy.stop()
        drop_pg_database(name)
        shutil.rmtree(deploy.env["WATCHER_STATE_DIR"], ignore_errors=True)


@pytest.fixture(scope="session")
def dashboard_deployment(service_env, log_dir) -> Iterator[Deployment]:
    """16 hosts, 120 instances: plans the tests run to their end."""
    yield from _deployment(service_env, log_dir, {})


@pytest.fixture(scope="session")
def large_deployment(service_env, log_dir) -> Iterator[Deployment]:
    yield from _deployment(service_env, log_dir, LARGE)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: run `make chromium`"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture()
def screenshots(tmp_path) -> Path:
    target = Path(os.environ.get("WATCHER_SCREENSHOTS", "") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target
