"""get_cloud: the adapter follows the configuration."""

from __future__ import annotations

import json

import pytest

from watcher_celery.cloud.factory import get_cloud, reset_cloud
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.config import Settings
from watcher_celery.errors import CloudError


@pytest.fixture(autouse=True)
def _fresh():
    reset_cloud()
    yield
    reset_cloud()


def _settings(tmp_path, **changes) -> Settings:
    base = Settings(sim_path=str(tmp_path / "cloud.sqlite"), sim_hosts=5, sim_instances=9)
    return base.model_copy(update=changes)


def test_simulated_cloud_is_generated_from_the_settings_and_reused(tmp_path):
    s = _settings(tmp_path)
    cloud = get_cloud(s)
    assert isinstance(cloud, SimulatedCloud)
    assert len(cloud.compute_nodes()) == 5 and len(cloud.instances()) == 9
    assert get_cloud(s) is cloud


def test_simulated_cloud_can_start_from_an_exported_description(tmp_path):
    source = SimulatedCloud.create(tmp_path / "src.sqlite", seed=5, hosts=3, instances=4)
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(source.export_json()))
    cloud = get_cloud(_settings(tmp_path, sim_import=str(path)))
    assert sorted(i.uuid for i in cloud.instances()) == sorted(i.uuid for i in source.instances())


def test_unknown_cloud_is_a_clear_error(tmp_path):
    with pytest.raises(CloudError, match="WATCHER_CLOUD must be one of"):
        get_cloud(_settings(tmp_path, cloud="vmware"))


def test_each_thread_gets_its_own_handle_on_the_same_cloud(tmp_path):
    import threading

    s = _settings(tmp_path)
    mine = get_cloud(s)
    seen = []
    thread = threading.Thread(target=lambda: seen.append(get_cloud(s)))
    thread.start()
    thread.join()
    assert seen[0] is not mine and seen[0].path == mine.path
