"""saving_energy: power free hosts off or on to keep the asked spare count."""

from __future__ import annotations

from strategies.saving_energy import SAVING_ENERGY as SE
from tests.unit.strategies.clusters import cluster, run
from watcher_celery.model import BaremetalNode


def _metal(model, off=()) -> None:
    for node in model.nodes.values():
        node.baremetal_uuid = f"bm-{node.hostname}"
        power = "power off" if node.hostname in off else "power on"
        if power == "power off":
            node.state = "down"
        model.baremetal[node.baremetal_uuid] = BaremetalNode(
            node.baremetal_uuid, power, hypervisor_hostname=node.hostname
        )


def _power(solution) -> list[tuple[str, str]]:
    return [
        (a.input_parameters["resource_name"], a.input_parameters["state"]) for a in solution.actions
    ]


def test_extra_free_hosts_are_powered_off_disabled_ones_first():
    # Given 10 hosts with instances and 3 free powered-on hosts, one of them disabled
    model = cluster({**{f"busy{n}": [2] for n in range(10)}, "f1": [], "f2": [], "f3": []})
    model.nodes["f3"].status = "disabled"
    _metal(model)
    # Then with 10 % (one spare host) two are powered off, the disabled one first
    assert _power(run(SE, model)) == [("f3", "off"), ("f1", "off")]


def test_missing_free_hosts_are_powered_on_and_the_spare_count_rounds_up():
    # Given 11 busy hosts and 20 %: 2.2 spares → 3 wanted, 1 on, 3 off
    model = cluster(
        {**{f"busy{n}": [2] for n in range(11)}, "on": [], "o1": [], "o2": [], "o3": []}
    )
    _metal(model, off={"o1", "o2", "o3"})
    assert _power(run(SE, model, free_used_percent=20.0)) == [("o1", "on"), ("o2", "on")]


def test_a_host_with_instances_or_in_maintenance_is_never_touched():
    model = cluster({"busy": [2], "free": [], "fixing": []})
    _metal(model)
    model.baremetal["bm-fixing"].maintenance = True
    # Given no spare wanted
    solution = run(SE, model, free_used_percent=0.0, min_free_hosts_num=0)
    # Then only the free host not in maintenance is powered off
    assert _power(solution) == [("free", "off")]
