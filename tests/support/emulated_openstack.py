"""The clouds.yaml that points openstacksdk at the OpenStack API emulator, and the adapter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from watcher_celery.cloud.openstack import OpenStackCloud

CLOUDS_YAML = """clouds:
  emulator:
    auth:
      auth_url: {url}/identity/v3
      username: admin
      password: secret
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
"""


@contextmanager
def adapter_for(url: str, directory: Path) -> Iterator[OpenStackCloud]:
    """The openstacksdk adapter on the emulator at ``url``, through a clouds.yaml written in
    ``directory`` and named by ``OS_CLIENT_CONFIG_FILE`` while the block runs."""
    config = directory / "clouds.yaml"
    config.write_text(CLOUDS_YAML.format(url=url))
    patch = pytest.MonkeyPatch()
    patch.setenv("OS_CLIENT_CONFIG_FILE", str(config))
    try:
        yield OpenStackCloud(cloud="emulator")
    finally:
        patch.undo()
