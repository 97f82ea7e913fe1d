"""workload_balance: every host is brought under the threshold in one audit."""

from __future__ import annotations

from strategies.workload_balance import WORKLOAD_BALANCE as WB
from tests.unit.strategies.clusters import cluster, migrations, run
from watcher_celery.datasources.memory import MemoryDatasource


def _cpu(model, percent: dict[str, float]) -> MemoryDatasource:
    data = MemoryDatasource()
    for uuid in model.instances:
        data.set(uuid, "instance_cpu_usage", percent.get(uuid, 100.0))
    return data


def test_one_move_that_alone_brings_the_host_under_is_preferred():
    # Given a 16-core host with 2+4+6 busy cores (75 %) and a threshold of 55 % (8.8 cores):
    # 3.2 cores too many; the 4-core instance alone suffices
    model = cluster({"src": [2, 4, 6], "t1": [], "t2": []})
    solution = run(WB, model, _cpu(model, {}), threshold=55.0)
    assert migrations(solution) == [("src-vm1", "src", "t1")]
    assert solution.indicators["instance_migrations_count"] == 1
    assert solution.indicators["instances_count"] == 3


def test_several_moves_until_under_and_no_target_pushed_over():
    # Given 14 busy cores on src, threshold 25 % (4 cores): more than 10 cores must leave;
    # each target stays under 4 cores, so takes one 2-core instance
    model = cluster({"src": [2] * 7, **{f"t{n}": [] for n in range(1, 8)}})
    solution = run(WB, model, _cpu(model, {}), threshold=25.0)
    used = {h: model.used(h).vcpus for h in model.nodes}
    assert used["src"] < 4
    assert all(used[h] < 4 for h in model.nodes)
    assert len(migrations(solution)) == 6


def test_instances_without_metrics_and_hosts_under_the_threshold_stay():
    # Given src at 4 of 16 cores measured (vm0 has no metric), threshold 20 %, a 32-core target
    model = cluster({"src": [2, 4], "t": []})
    model.nodes["t"].vcpus = 32
    data = _cpu(model, {})
    del data.values[("src-vm0", "instance_cpu_usage")]
    solution = run(WB, model, data, threshold=20.0)
    assert migrations(solution) == [("src-vm1", "src", "t")]


def test_ram_balances_memory():
    model = cluster({"src": [1, 1, 1], "t": []}, memory=8192)
    data = MemoryDatasource()
    for uuid in model.instances:
        data.set(uuid, "instance_ram_usage", 2048.0)
    # 6 GiB of 8 (75 %) with a threshold of 50 %: one 2 GiB instance leaves
    solution = run(WB, model, data, metrics="instance_ram_usage", threshold=50.0)
    assert len(migrations(solution)) == 1
