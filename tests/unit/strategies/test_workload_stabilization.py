"""workload_stabilization: moves load from the busiest hosts until deviation is under threshold."""

from __future__ import annotations

import statistics

from strategies.workload_stabilization import WORKLOAD_STABILIZATION as WS
from tests.unit.strategies.clusters import cluster, migrations, run
from watcher_celery.datasources.memory import MemoryDatasource


def _busy(model, percent: float = 100.0) -> MemoryDatasource:
    metrics = MemoryDatasource()
    for uuid in model.instances:
        metrics.set(uuid, "instance_cpu_usage", percent)
        metrics.set(uuid, "instance_ram_usage", 1024)
    return metrics


def _cpu_fractions(model) -> list[float]:
    return [model.used(h).vcpus / model.nodes[h].vcpus for h in sorted(model.nodes)]


def test_a_loaded_host_and_two_idle_ones_end_balanced():
    # Given h0 running six busy 2-vCPU instances (12/16 cores), h1 and h2 idle
    model = cluster({"h0": [2] * 6, "h1": [], "h2": []})
    solution = run(WS, model, _busy(model))
    # Then four instances leave h0, two to each idle host: every host at 4/16 cores
    assert len(migrations(solution)) == 4
    assert {src for _, src, _ in migrations(solution)} == {"h0"}
    assert _cpu_fractions(model) == [0.25, 0.25, 0.25]
    assert solution.indicators["standard_deviation_after_audit"] == 0.0
    assert solution.indicators["standard_deviation_before_audit"] > 0.3
    assert solution.indicators["instances_count"] == 6


def test_a_cluster_already_under_threshold_gets_no_migration():
    model = cluster({"h0": [2, 2], "h1": [2]})
    solution = run(WS, model, _busy(model), thresholds={"instance_cpu_usage": 0.2})
    assert statistics.pstdev(_cpu_fractions(model)) < 0.2
    assert migrations(solution) == []


def test_stops_once_the_deviation_is_under_the_threshold():
    model = cluster({"h0": [2] * 6, "h1": [], "h2": []})
    solution = run(WS, model, _busy(model), thresholds={"instance_cpu_usage": 0.2})
    # One move (12,0,0 → 10,2,0 cores) is not enough; two (8,2,2) bring sd to 0.177
    assert len(migrations(solution)) == 2
    assert statistics.pstdev(_cpu_fractions(model)) < 0.2


def test_instances_without_metrics_or_excluded_stay_put():
    model = cluster({"h0": [2] * 4, "h1": []})
    metrics = _busy(model)
    del metrics.values[("h0-vm0", "instance_cpu_usage")]
    model.instances["h0-vm1"].watcher_exclude = True
    moved = {uuid for uuid, _, _ in migrations(run(WS, model, metrics))}
    assert moved and not moved & {"h0-vm0", "h0-vm1"}


def test_ram_metric_balances_memory():
    model = cluster({"h0": [1] * 4, "h1": []}, memory=8192)
    metrics = MemoryDatasource()
    for uuid in model.instances:
        metrics.set(uuid, "instance_ram_usage", 2048)
    solution = run(WS, model, metrics, metrics=["instance_ram_usage"])
    # 4 × 2 GiB on an 8 GiB host and nothing on the other: two move
    assert len(migrations(solution)) == 2


def _skewed():
    # h0 busy (14/16 cores), h1..h7 with 0..6 cores used, in no particular order of name
    return cluster(
        {"h0": [2] * 7, "h1": [2, 2], "h2": [2], "h3": [], "h4": [2, 2, 2], "h5": [], "h6": [2]}
    )


def _plan(host_choice: str, **extra):
    model = _skewed()
    solution = run(WS, model, _busy(model), host_choice=host_choice, **extra)
    return migrations(solution), solution.indicators["standard_deviation_after_audit"]


def test_cycle_walks_the_hosts_in_turn():
    # Given the hosts in name order h0..h6, cycle gives h0's seven instances one host each,
    # in turn: h1, h2, h3, h4, h5, h6, h1
    moved, _ = _plan("cycle")
    # Then the first move is the best of those tries: to h3, the first idle host in the walk
    assert moved[0][1:] == ("h0", "h3")


def test_fullsearch_takes_the_best_host_for_each_move():
    moved, after = _plan("fullsearch")
    # The first move goes to an idle host (h3 or h5), the best there is
    assert moved[0][2] in {"h3", "h5"}
    # and no other choice ends better balanced
    for other in ("cycle", "retry"):
        assert after <= _plan(other)[1]


def test_retry_samples_its_retry_count_hosts_reproducibly():
    first = _plan("retry", retry_count=2)
    assert first == _plan("retry", retry_count=2)  # same audit, same cluster: same plan
    assert first[0]


def test_the_three_host_choices_give_different_plans():
    plans = {choice: _plan(choice)[0] for choice in ("cycle", "retry", "fullsearch")}
    assert len({tuple(p) for p in plans.values()}) == 3, plans


def test_a_destination_in_another_zone_is_never_chosen_for_a_pinned_instance():
    model = cluster({"h0": [2] * 6, "h1": [], "h2": []})
    for name, zone in (("h0", "az1"), ("h1", "az2"), ("h2", "az1")):
        model.nodes[name].availability_zone = zone
    for instance in model.instances.values():
        instance.pinned_az = "az1"
    solution = run(WS, model, _busy(model), host_choice="fullsearch")
    assert {dst for _, _, dst in migrations(solution)} == {"h2"}
