"""``openstack optimize`` (python-openstackclient with python-watcherclient's plugin), unchanged,
logging in to the tier's real Keystone with a password from a ``clouds.yaml`` and finding the
Watcher API in the catalog: the whole life-cycle, every command in every output format, a plan
of every built-in strategy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openstackclient.shell import main as openstack_main

from harness.processes import start_beat
from tests.support.watcher_cli import WatcherCli
from tests.support.watcher_sweep import sweep

VERSION = ["--os-infra-optim-api-version", "1.7"]


@pytest.fixture(scope="module")
def beat(service_env, log_dir, worker):
    service = start_beat(service_env, log_dir)
    yield service
    service.stop()


def _clouds_only_env(clouds_yaml: Path) -> dict[str, str]:
    """An environment with nothing about OpenStack in it but the clouds.yaml's path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds_yaml)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_the_openstack_command_finds_watcher_with_nothing_but_a_clouds_yaml(watcher_cloud):
    env = _clouds_only_env(watcher_cloud.clouds_yaml)
    listed = subprocess.run(
        ["openstack", "--os-cloud", "admin", *VERSION, "optimize", "goal", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert listed.returncode == 0, listed.stderr
    assert "dummy" in listed.stdout and "+--" in listed.stdout
    refused = subprocess.run(
        [
            "openstack",
            "--os-cloud",
            "reader",
            *VERSION,
            "optimize",
            "audit",
            "create",
            "-g",
            "dummy",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode != 0
    assert "Policy doesn't allow audit:create to be performed." in refused.stderr


def test_every_openstack_optimize_command_in_every_format_for_every_strategy(
    watcher_cloud, beat, monkeypatch
):
    for name in [k for k in os.environ if k.startswith("OS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(watcher_cloud.clouds_yaml))
    cli = WatcherCli(openstack_main, ["--os-cloud", "admin", *VERSION, "optimize"])
    record = sweep(cli)
    assert set(record.plans) >= {"dummy", "basic", "actuator", "host_maintenance"}
    assert record.actions["dummy"] == 3
    assert len(cli.commands) > 150
