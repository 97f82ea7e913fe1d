"""Whole-cloud reads over a period equal sampling every instance at every instant."""

from __future__ import annotations

import pytest

from watcher_celery.cloud.sim import metrics as series
from watcher_celery.cloud.sim import profiles
from watcher_celery.cloud.simulated import SimulatedCloud

NOON = 1_700_000_000.0


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    cloud = SimulatedCloud.create(tmp_path_factory.mktemp("p") / "c.sqlite", 3, 20, 300)
    hosts, instances = cloud.metric_rows()
    cloud.close()
    return hosts, instances


def _naive_loads(hosts, instances, t):
    """Each host's load at t by summing every running instance (the definition)."""
    loads = {h[0]: series.HostLoad(h[1], h[2], h[3], h[4]) for h in hosts}
    for row in instances:
        if row["host"] in loads and row["state"] in series.RUNNING:
            cpu = series.instance_cpu(row["cpu_base"], row["cpu_amp"], row["phase"], t)
            loads[row["host"]].cpu_core_seconds += cpu * row["vcpus"] / 100.0
            loads[row["host"]].ram_used_mb += row["memory_mb"] * row["ram_frac"]
    return loads


def test_host_profiles_give_each_hosts_load_at_any_instant(rows):
    hosts, instances = rows
    by_host = profiles.host_profiles(hosts, instances)
    assert any(p.clamped for p in by_host.values())  # the data covers clamped cycles too
    for t in (NOON, NOON + 3600, NOON + 40000):
        naive = _naive_loads(hosts, instances, t)
        for host, load in naive.items():
            fast = by_host[host].at(t)
            assert fast.cpu == pytest.approx(load.cpu, rel=1e-9, abs=1e-9)
            assert fast.ram_kib == pytest.approx(load.ram_kib, rel=1e-12)


@pytest.mark.parametrize("how", ["mean", "min", "max", "count"])
@pytest.mark.parametrize("metric", ["host_cpu_usage", "host_ram_usage", "host_power"])
def test_host_aggregates_over_a_period_equal_the_sampled_values(rows, metric, how):
    hosts, instances = rows
    times = series.sample_times(NOON, 7200, 300)
    samples = profiles.Samples(times)
    by_host = profiles.host_profiles(hosts, instances)
    naive = [_naive_loads(hosts, instances, t) for t in times]
    for host, profile in by_host.items():
        expected = series.aggregate([series.host_values(n[host])[metric] for n in naive], how)
        got = profiles.host_aggregate(profile, metric, samples, how)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("how", ["mean", "min", "max", "count"])
@pytest.mark.parametrize("metric", sorted(series.INSTANCE_SERIES))
def test_instance_aggregates_over_a_period_equal_the_sampled_values(rows, metric, how):
    _hosts, instances = rows
    times = series.sample_times(NOON, 3600, 300)
    samples = profiles.Samples(times)
    for row in instances:
        expected = series.aggregate([series.instance_values(row, t)[metric] for t in times], how)
        got = profiles.instance_aggregate(row, metric, samples, how)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("how", ["mean", "max", "count"])
@pytest.mark.parametrize("metric", sorted(series.INSTANCE_SERIES))
def test_many_instances_at_once_get_the_same_values_as_one_by_one(rows, metric, how):
    _hosts, instances = rows
    samples = profiles.Samples(series.sample_times(NOON, 3600, 300))
    many = profiles.instance_aggregates(((r["uuid"], r) for r in instances), metric, samples, how)
    assert many == {
        r["uuid"]: profiles.instance_aggregate(r, metric, samples, how) for r in instances
    }
