"""Session fixtures of the real-OpenStack tier: the run's MariaDB databases and real services.

Every name the tier creates on the shared servers carries this run's prefix ``wcrc_<hex>``;
everything is dropped, and every process stopped by its PID, when the session ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.realcloud.keystone import Keystone, running_keystone
from tests.realcloud.mariadb import MariaDB
from tests.realcloud.watcher_service import start_watcher_behind_keystone

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
def watcher_cloud(keystone, service_env, log_dir, realcloud_dir, worker):
    """The Watcher API behind the tier's Keystone, registered in its catalog, with a worker."""
    cloud = start_watcher_behind_keystone(
        keystone, service_env, log_dir, realcloud_dir, uuid.uuid4().hex[:6]
    )
    yield cloud
    cloud.service.stop()
