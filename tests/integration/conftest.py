"""The OpenStack API emulator over a module's simulated cloud (its ``sim`` fixture), and the
openstacksdk adapter pointed at it: shared by the adapter's integration tests."""

from __future__ import annotations

import pytest

from tests.support.emulated_openstack import adapter_for
from watcher_celery.cloud.emulator import serve


@pytest.fixture(scope="module")
def emulator(sim):
    server, url = serve(sim)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def adapter(emulator, tmp_path_factory):
    with adapter_for(emulator, tmp_path_factory.mktemp("clouds")) as cloud:
        yield cloud
