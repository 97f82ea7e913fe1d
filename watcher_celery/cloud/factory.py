"""The configured cloud adapter, one per process and configuration.

``WATCHER_CLOUD=simulated`` (the default) opens the simulated cloud's SQLite store at
``WATCHER_SIM_PATH`` (generating it from ``WATCHER_SIM_SEED``/``_HOSTS``/``_INSTANCES``, or
loading ``WATCHER_SIM_IMPORT``, the first time); ``openstack`` talks to a real cloud through
openstacksdk (``OS_CLOUD`` / clouds.yaml).
"""

from __future__ import annotations

import json
from pathlib import Path

from watcher_celery.cloud.base import CloudAdapter
from watcher_celery.config import Settings, get_settings
from watcher_celery.errors import CloudError

CLOUDS = ("simulated", "openstack")
_adapters: dict[tuple, CloudAdapter] = {}


def get_cloud(settings: Settings | None = None) -> CloudAdapter:
    """The adapter for the configured cloud; raises CloudError when it cannot be opened."""
    s = settings or get_settings()
    key = (s.cloud, s.sim_path, s.os_cloud)
    if key not in _adapters:
        _adapters[key] = _open(s)
    return _adapters[key]


def reset_cloud() -> None:
    """Forget opened adapters (tests that change the configuration)."""
    _adapters.clear()


def _open(s: Settings) -> CloudAdapter:
    if s.cloud == "simulated":
        return open_simulated(s)
    if s.cloud == "openstack":
        from watcher_celery.cloud.openstack import OpenStackCloud

        return OpenStackCloud(cloud=s.os_cloud or None)
    raise CloudError(f"Unknown cloud {s.cloud!r}: WATCHER_CLOUD must be one of {CLOUDS}")


def open_simulated(s: Settings):
    """Open (and on first use create) the simulated cloud the settings describe."""
    from watcher_celery.cloud.simulated import SimulatedCloud

    try:
        if s.sim_import and not Path(s.sim_path).exists():
            description = json.loads(Path(s.sim_import).read_text())
            cloud = SimulatedCloud.from_json(s.sim_path, description)
            cloud.set_op_seconds(s.sim_op_seconds)
            return cloud
        return SimulatedCloud.create(
            s.sim_path, s.sim_seed, s.sim_hosts, s.sim_instances, s.sim_op_seconds
        )
    except (OSError, ValueError) as exc:
        raise CloudError(f"The simulated cloud at {s.sim_path} cannot be opened: {exc}") from exc
