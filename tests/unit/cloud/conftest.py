"""A small simulated cloud per test, with operations that take 50 ms."""

from __future__ import annotations

import pytest

from watcher_celery.cloud.simulated import SimulatedCloud


@pytest.fixture
def cloud(tmp_path) -> SimulatedCloud:
    sim = SimulatedCloud.create(tmp_path / "cloud.sqlite", seed=7, hosts=12, instances=60)
    sim.set_op_seconds(0.05)
    yield sim
    sim.close()
