"""The emulator as its own process, sharing the simulated cloud's file with the test."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from harness.processes import ROOT, free_port, wait_for
from tests.support.emulated_openstack import CLOUDS_YAML
from watcher_celery.cloud.openstack import OpenStackCloud
from watcher_celery.cloud.simulated import SimulatedCloud


@pytest.fixture
def emulator_process(tmp_path):
    path = tmp_path / "cloud.sqlite"
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "WATCHER_SIM_PATH": str(path), "WATCHER_SIM_HOSTS": "5",
           "WATCHER_SIM_INSTANCES": "12", "WATCHER_SIM_OP_SECONDS": "0.05",
           "WATCHER_STATE_DIR": str(tmp_path)}  # fmt: skip
    log = open(tmp_path / "emulator.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "watcher_celery.cloud.emulator", "--port", str(port)],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip

    def up():
        try:
            return requests.get(f"http://127.0.0.1:{port}/identity/v3", timeout=1).ok
        except requests.RequestException:
            return False

    wait_for(up, 30, "emulator process")
    yield path, f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)
    log.close()


def test_an_action_through_the_emulator_process_changes_the_shared_cloud(
    emulator_process, tmp_path, monkeypatch
):
    path, url = emulator_process
    config = tmp_path / "clouds.yaml"
    config.write_text(CLOUDS_YAML.format(url=url))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(config))
    adapter = OpenStackCloud(cloud="emulator")
    sim = SimulatedCloud(path)  # the file the emulator process generated from its settings
    assert len(adapter.compute_nodes()) == 5 and len(adapter.instances()) == 12
    inst = next(i for i in sim.instances() if i.state == "active")
    adapter.live_migrate(inst.uuid)
    sim.wait_idle()
    assert adapter.get_instance(inst.uuid).host == sim.get_instance(inst.uuid).host != inst.host
