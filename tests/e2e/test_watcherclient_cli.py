"""The ``watcher`` command of python-watcherclient, unchanged, swept over the live API: every
command, every output format, a plan of every built-in strategy (authentication off; the
Keystone flavour with ``openstack optimize`` is tests/realcloud/test_openstack_cli.py)."""

from __future__ import annotations

import pytest
from watcherclient.shell import main as watcher_main

from harness.processes import start_beat
from tests.support.watcher_cli import WatcherCli
from tests.support.watcher_sweep import sweep

pytestmark = pytest.mark.integration


@pytest.fixture()
def beat(service_env, log_dir, worker):
    service = start_beat(service_env, log_dir)
    yield service
    service.stop()


def test_every_watcher_command_in_every_format_against_plans_of_every_strategy(api, worker, beat):
    cli = WatcherCli(
        watcher_main,
        ["--no-auth", "--os-endpoint-override", api, "--os-infra-optim-api-version", "1.7"],
    )
    record = sweep(cli)
    assert set(record.plans) >= {"dummy", "basic", "actuator", "host_maintenance"}
    assert record.actions["dummy"] == 3
    assert len(cli.commands) > 150
