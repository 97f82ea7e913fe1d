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
