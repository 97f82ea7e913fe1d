"""The OpenStack API emulator over a module's simulated cloud (its ``sim`` fixture), and the
openstacksdk adapter pointed at it: shared by the adapter's integration tests."""

from __future__ import annotations

import pytest

from tests.support.emulated_openstack import CLOUDS_YAML
from watcher_celery.cloud.emulator import serve
from watcher_celery.cloud.openstack import OpenStackCloud


@pytest.fixture(scope="module")
def emulator(sim):
    server, url = serve(sim)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def adapter(emulator, tmp_path_factory):
    config = tmp_path_factory.mktemp("clouds") / "clouds.yaml"
    config.write_text(CLOUDS_YAML.format(url=emulator))
    mp = pytest.MonkeyPatch()
    mp.setenv("OS_CLIENT_CONFIG_FILE", str(config))
    yield OpenStackCloud(cloud="emulator")
    mp.undo()
