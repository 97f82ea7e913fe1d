"""The simulated datasource: daily cycles, per-audit caching, load that follows instances."""

from __future__ import annotations

import pytest

from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.datasources.simulated import SimulatedDatasource
from watcher_celery.decision_engine.collector import collect

NOON = 1_700_000_000.0


@pytest.fixture
def cloud(tmp_path):
    sim = SimulatedCloud.create(tmp_path / "c.sqlite", seed=5, hosts=8, instances=60)
    sim.set_op_seconds(0.02)
    sim.set_clock(NOON)
    return sim


def test_instance_cpu_follows_a_daily_cycle(cloud):
    model = collect(cloud, [])
    inst = next(i for i in model.instances.values() if i.state == "active")
    now = SimulatedDatasource(cloud).instance_metric(inst, "instance_cpu_usage")
    cloud.set_clock(NOON + 43200)
    later = SimulatedDatasource(cloud).instance_metric(inst, "instance_cpu_usage")
    assert now != pytest.approx(later)
    ds = SimulatedDatasource(cloud)
    lo = ds.statistic_aggregation(inst, "instance", "instance_cpu_usage", 7200, "min", 300)
    hi = ds.statistic_aggregation(inst, "instance", "instance_cpu_usage", 7200, "max", 300)
    mean = ds.statistic_aggregation(inst, "instance", "instance_cpu_usage", 7200, "mean", 300)
    assert lo < mean < hi
    assert (
        ds.statistic_aggregation(inst, "instance", "instance_cpu_usage", 7200, "count", 300) == 24
    )


def test_moving_an_instance_moves_its_load(cloud):
    model = collect(cloud, [])
    ds = SimulatedDatasource(cloud)
    inst = max(
        (i for i in model.instances.values() if i.state == "active"),
        key=lambda i: ds.instance_metric(i, "instance_cpu_usage") * i.vcpus,
    )
    source = model.node(inst.host)
    before = ds.host_metric(source, "host_cpu_usage")
    share = ds.instance_metric(inst, "instance_cpu_usage") * inst.vcpus / source.vcpus
    cloud.live_migrate(inst.uuid)
    cloud.wait_idle()
    after = SimulatedDatasource(cloud).host_metric(source, "host_cpu_usage")
    assert after == pytest.approx(before - share)
    assert ds.host_metric(source, "host_cpu_usage") == before  # cached for the audit


def test_stopped_instances_use_no_cpu_and_flavor_metrics_come_from_the_flavor(cloud):
    model = collect(cloud, [])
    inst = next(i for i in model.instances.values() if i.state == "active")
    cloud.stop_instance(inst.uuid)
    cloud.wait_idle()  # SHUTOFF a moment after the stop is accepted, as in Nova
    ds = SimulatedDatasource(cloud)
    assert ds.instance_metric(inst, "instance_cpu_usage") == 0.0
    assert ds.instance_metric(inst, "instance_ram_allocated") == inst.memory
    assert ds.instance_metric(SimpleInstance("nope"), "instance_cpu_usage") is None


class SimpleInstance:
    def __init__(self, uuid):
        self.uuid = uuid


def test_required_metric_that_is_missing_raises_a_clear_error(cloud):
    from watcher_celery.errors import DatasourceError

    with pytest.raises(DatasourceError, match="no instance_cpu_usage data for instance nope"):
        SimulatedDatasource(cloud).instance_metric(
            SimpleInstance("nope"), "instance_cpu_usage", required=True
        )
