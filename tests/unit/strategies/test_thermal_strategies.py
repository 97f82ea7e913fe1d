"""outlet_temperature and uniform_airflow on crafted clusters with known answers."""

from __future__ import annotations

from strategies.outlet_temperature import OUTLET_TEMPERATURE as OT
from strategies.uniform_airflow import UNIFORM_AIRFLOW as UA
from tests.unit.strategies.clusters import cluster, migrations, run
from watcher_celery.datasources.memory import MemoryDatasource


def _hosts(model, metric: str, values: dict[str, float], data=None) -> MemoryDatasource:
    data = data or MemoryDatasource()
    for hostname, value in values.items():
        data.set(model.nodes[hostname].uuid, metric, value)
    return data


def test_every_hot_host_sheds_its_busiest_instance_to_the_coolest_hosts():
    # Given two hot hosts (40 and 37 °C) and three cool ones (20, 25, 30 °C)
    model = cluster({"hot1": [2, 4], "hot2": [2], "c20": [], "c25": [], "c30": []})
    data = _hosts(
        model, "host_outlet_temp", {"hot1": 40, "hot2": 37, "c20": 20, "c25": 25, "c30": 30}
    )
    data.set("hot1-vm0", "instance_cpu_usage", 100.0)  # 2 cores busy
    data.set("hot1-vm1", "instance_cpu_usage", 10.0)  # 0.4 core busy
    solution = run(OT, model, data)
    # Then the hottest sheds its busiest instance to the coolest host, the next to the next
    assert migrations(solution) == [("hot1-vm0", "hot1", "c20"), ("hot2-vm0", "hot2", "c25")]


def test_a_cool_host_without_room_is_skipped_and_hosts_without_temperature_are_left_alone():
    model = cluster({"hot": [8], "full": [12], "roomy": [], "unknown": [1]})
    data = _hosts(model, "host_outlet_temp", {"hot": 50, "full": 20, "roomy": 30})
    solution = run(OT, model, data)
    assert migrations(solution) == [("hot-vm0", "hot", "roomy")]


def test_a_cluster_under_the_threshold_gets_no_migration():
    model = cluster({"a": [2], "b": []})
    assert run(OT, model, _hosts(model, "host_outlet_temp", {"a": 30, "b": 20})).actions == []


def _airflow(model, airflow: dict, power: float, inlet: float) -> MemoryDatasource:
    data = _hosts(model, "host_airflow", airflow)
    _hosts(model, "host_power", dict.fromkeys(airflow, power), data)
    return _hosts(model, "host_inlet_temp", dict.fromkeys(airflow, inlet), data)


def test_a_cool_low_power_source_is_emptied_into_the_lowest_airflow_hosts():
    # Given a source at 500 (0.1 CFM) with power and inlet under their thresholds
    model = cluster({"src": [4, 2], "t300": [12], "t350": []})
    data = _airflow(model, {"src": 500, "t300": 300, "t350": 350}, power=200, inlet=20)
    solution = run(UA, model, data)
    # Then all its instances leave, largest first, to the lowest airflow host with room
    assert migrations(solution) == [("src-vm0", "src", "t300"), ("src-vm1", "src", "t350")]


def test_a_hot_power_hungry_source_sheds_only_its_largest_instance():
    model = cluster({"src": [2, 4], "t": []})
    data = _airflow(model, {"src": 500, "t": 300}, power=400, inlet=20)
    assert migrations(run(UA, model, data)) == [("src-vm1", "src", "t")]


def test_a_source_whose_instances_do_not_all_fit_moves_nothing():
    model = cluster({"src": [8, 8], "t": [4]})
    data = _airflow(model, {"src": 500, "t": 300}, power=200, inlet=20)
    assert run(UA, model, data).actions == []


def test_every_source_is_handled_not_only_the_first():
    model = cluster({"s1": [2], "s2": [2], "t": []})
    data = _airflow(model, {"s1": 600, "s2": 500, "t": 300}, power=400, inlet=30)
    assert sorted(src for _, src, _ in migrations(run(UA, model, data))) == ["s1", "s2"]
