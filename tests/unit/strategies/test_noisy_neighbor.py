"""noisy_neighbor: the instance whose cache use grows beside a starving priority one moves."""

from __future__ import annotations

from strategies.noisy_neighbor import NOISY_NEIGHBOR as NN
from tests.unit.strategies.clusters import cluster, migrations, run
from watcher_celery.datasources.memory import MemoryDatasource

METRIC = "instance_l3_cache_usage"


def _cache(data: MemoryDatasource, uuid: str, now: float, before: float) -> None:
    # mean over 2 × period = (now + before) / 2, so "before" = 2 × that − now
    data.inject(uuid, METRIC, now, period=100)
    data.inject(uuid, METRIC, (now + before) / 2, period=200)


def test_the_noisy_low_priority_instance_leaves_for_a_calm_host():
    # Given on h1 a priority-9 instance whose cache fell 50 % and a priority-1 one that doubled
    model = cluster({"h1": [2, 2, 2], "h2": [2], "h3": []})
    model.instances["h1-vm0"].metadata["watcher-priority"] = 9
    model.instances["h1-vm1"].metadata["watcher-priority"] = 1
    data = MemoryDatasource()
    _cache(data, "h1-vm0", now=1.0, before=2.0)
    _cache(data, "h1-vm1", now=4.0, before=2.0)
    _cache(data, "h1-vm2", now=2.0, before=2.0)
    _cache(data, "h2-vm0", now=3.0, before=3.0)
    # Then the noisy one moves to the host with the least cache pressure (h3, empty)
    assert migrations(run(NN, model, data)) == [("h1-vm1", "h1", "h3")]


def test_nothing_moves_without_a_victim_or_under_the_threshold():
    model = cluster({"h1": [2, 2], "h2": []})
    data = MemoryDatasource()
    _cache(data, "h1-vm0", now=1.8, before=2.0)  # fell 10 %
    _cache(data, "h1-vm1", now=4.0, before=2.0)
    assert run(NN, model, data).actions == []  # 10 % < 35 %
    assert migrations(run(NN, model, data, cache_threshold=5.0)) == [("h1-vm1", "h1", "h2")]


def test_a_more_important_instance_is_never_moved_for_a_less_important_victim():
    model = cluster({"h1": [2, 2], "h2": []})
    model.instances["h1-vm0"].metadata["watcher-priority"] = 1  # victim
    model.instances["h1-vm1"].metadata["watcher-priority"] = 9  # grows
    data = MemoryDatasource()
    _cache(data, "h1-vm0", now=1.0, before=2.0)
    _cache(data, "h1-vm1", now=4.0, before=2.0)
    assert run(NN, model, data).actions == []
