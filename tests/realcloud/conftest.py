"""Session fixtures of the real-OpenStack tier: the run's MariaDB databases and real services.

Every name the tier creates on the shared servers carries this run's prefix ``wcrc_<hex>``;
everything is dropped, and every process stopped by its PID, when the session ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.processes import start_api, start_worker
from harness.realcloud.cloud import RealCloud, running_cloud
from harness.realcloud.keystone import Keystone, running_keystone
from harness.realcloud.mariadb import MariaDB
from harness.realcloud.rabbitmq import RabbitVhost
from harness.realcloud.view import CloudView
from harness.realcloud.watcher_service import start_watcher_behind_keystone
from tests.integration.prometheus_server import PrometheusServer
from tests.realcloud.actions import ACTION_SECONDS
from tests.realcloud.audits import LATEST
from tests.support.client import ApiClient
from watcher_celery.cloud.factory import get_cloud, reset_cloud
from watcher_celery.config import reset_settings

RUN_PREFIX = f"wcrc_{uuid.uuid4().hex[:10]}"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.realcloud)


@pytest.fixture(scope="session")
def realcloud_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("realcloud")


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDB]:
    db = MariaDB(RUN_PREFIX)
    yield db
    db.close()


@pytest.fixture(scope="session")
def keystone(mariadb, realcloud_dir) -> Iterator[Keystone]:
    with running_keystone(mariadb, realcloud_dir) as service:
        yield service


@pytest.fixture(scope="session")
def real_cloud(mariadb, realcloud_dir, request) -> Iterator[RealCloud]:
    """Placement, Nova (API, conductor, scheduler, three sized computes) and Ironic on the
    session's Keystone; the RabbitMQ vhost is made (rabbitmqctl: seconds) while it starts."""
    with ThreadPoolExecutor(1) as pool:
        vhost = pool.submit(RabbitVhost, RUN_PREFIX)
        try:
            keystone = request.getfixturevalue("keystone")
        except BaseException:
            vhost.result().close()
            raise
    with running_cloud(mariadb, keystone, realcloud_dir, vhost.result()) as cloud:
        FIGURES["keystone start-up (s)"] = keystone.startup_seconds
        FIGURES["placement and nova start-up (s, since keystone)"] = cloud.startup_seconds
        yield cloud
        memory = cloud.memory_mb()
        FIGURES["memory at the end (RSS MB)"] = {**memory, "total": sum(memory.values())}


@pytest.fixture(scope="session")
def view(real_cloud) -> Iterator[CloudView]:
    client = CloudView(real_cloud)
    yield client
    client.close()


@pytest.fixture
def clean_cloud(view) -> Iterator[CloudView]:
    """The cloud with no servers and every compute service enabled, before and after."""
    view.delete_all_servers()
    view.enable_all_services()
    yield view
    view.delete_all_servers()
    view.enable_all_services()


@pytest.fixture(scope="session")
def openstack_env(real_cloud) -> dict[str, str]:
    """What points the service at the real cloud: its adapter, clouds.yaml entry ``watcher``."""
    return {
        "WATCHER_CLOUD": "openstack",
        "WATCHER_OS_CLOUD": "watcher",
        "OS_CLIENT_CONFIG_FILE": str(real_cloud.clouds_yaml),
    }


@pytest.fixture
def adapter(openstack_env, monkeypatch):
    """The service's openstacksdk adapter on the real cloud, logged in as ``watcher``."""
    for name, value in openstack_env.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    reset_cloud()
    yield get_cloud()
    monkeypatch.undo()
    reset_settings()
    reset_cloud()


@pytest.fixture(scope="session")
def prometheus(realcloud_dir) -> Iterator[PrometheusServer]:
    """An empty Prometheus, as a deployment has one: strategies that declare metrics (basic)
    run, and find no samples (the fake hypervisors export none)."""
    server = PrometheusServer(realcloud_dir / "prometheus")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def realcloud_env(service_env, openstack_env, prometheus) -> dict[str, str]:
    """Workers and the API on the real cloud: a queue of their own, failed plans rolled back,
    the empty Prometheus as datasource. Lease and polling as configured by default (the
    figures in docs are for the default; a lease of seconds lets a worker that is merely slow
    on a loaded machine look dead)."""
    return {
        **service_env,
        **openstack_env,
        "WATCHER_PROMETHEUS_URL": prometheus.url,
        "WATCHER_TASK_QUEUE": f"watcher-{RUN_PREFIX}",
        "WATCHER_ACTION_TIMEOUT": "180",
        "WATCHER_ROLLBACK_WHEN_PLAN_FAILED": "true",
    }


@pytest.fixture(scope="session")
def realcloud_worker(realcloud_env, log_dir):
    service = start_worker(realcloud_env, log_dir)
    yield service
    service.stop()


@pytest.fixture(scope="session")
def api(realcloud_env, realcloud_worker, log_dir):
    """The service's API on the real cloud, beside the session's worker."""
    service, base = start_api(realcloud_env, log_dir)
    yield base
    service.stop()


@pytest.fixture
def client(api, clean_cloud) -> ApiClient:
    """An API client for a test that audits a clean real cloud."""
    return ApiClient(api, headers=LATEST)


@pytest.fixture
def env(realcloud_env, realcloud_worker, clean_cloud) -> dict[str, str]:
    """For a test that runs plans on the session's worker against a clean real cloud."""
    return realcloud_env


# Start-up times and memory of this run's cloud, printed at the end.
FIGURES: dict[str, dict] = {}


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("real-cloud figures")
        for name, values in FIGURES.items():
            terminalreporter.write_line(f"{name}: {values}")
    if ACTION_SECONDS:
        terminalreporter.section("real-cloud action durations (s)")
        for name, seconds in sorted(ACTION_SECONDS.items()):
            shown = ", ".join(f"{s:.1f}" for s in seconds)
            terminalreporter.write_line(f"{name}: {shown}")


@pytest.fixture(scope="session")
def watcher_cloud(keystone, service_env, log_dir, realcloud_dir, worker):
    """The Watcher API behind the tier's Keystone, registered in its catalog, with a worker."""
    cloud = start_watcher_behind_keystone(
        keystone, service_env, log_dir, realcloud_dir, uuid.uuid4().hex[:6]
    )
    yield cloud
    cloud.service.stop()
