"""The simulated cloud's command line, run as a process on the configured store."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.errors import CloudError


def run(tmp_path, *args, check=True):
    env = {**os.environ, "WATCHER_SIM_PATH": str(tmp_path / "cloud.sqlite"),
           "WATCHER_SIM_HOSTS": "4", "WATCHER_SIM_INSTANCES": "10"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "watcher_celery.cloud.sim", *args],
        env=env, capture_output=True, text=True, check=check,
    )  # fmt: skip


def test_export_then_import_replays_the_cluster(tmp_path):
    exported = json.loads(run(tmp_path, "export").stdout)
    assert len(exported["hosts"]) == 4 and len(exported["instances"]) == 10
    exported["instances"] = exported["instances"][:3]
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(exported))
    run(tmp_path, "import", str(path))
    assert "3 instances" in run(tmp_path, "summary").stdout


def test_bad_file_is_refused_with_a_message(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{}")
    out = run(tmp_path, "import", str(path), check=False)
    assert out.returncode == 2 and "format" in out.stderr


def test_failure_injected_from_another_process(tmp_path):
    run(tmp_path, "fail", "stop_instance", "--message", "hypervisor gone")
    cloud = SimulatedCloud(tmp_path / "cloud.sqlite")
    inst = next(i for i in cloud.instances() if i.state == "active")
    with pytest.raises(CloudError, match="hypervisor gone"):
        cloud.stop_instance(inst.uuid)
