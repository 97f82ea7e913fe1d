"""Thermal, airflow, power and L3-cache metrics from exporter series, on a real Prometheus.

Backfilled series as the IPMI exporter (``ipmi_temperature_celsius`` per sensor name,
``ipmi_dcmi_power_consumption_watts``, ``ipmi_sensor_value``), node_exporter's hwmon
(``node_hwmon_temp_celsius``) and ceilometer (``ceilometer_cpu_l3_cache``) expose them. The
datasource reads them with the default names and with names an operator configured, bound to
the audit (one query per metric for all resources) and one resource at a time, alike.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.integration.prometheus_server import PrometheusServer, openmetrics
from watcher_celery.datasources.prometheus_hardware import HardwarePrometheusDatasource
from watcher_celery.errors import DatasourceError
from watcher_celery.model import ClusterModel, ComputeNode, Instance

pytestmark = pytest.mark.integration

END = (int(time.time()) - 1800) // 15 * 15
STEPS = list(range(END - 3600, END + 1, 15))
HOSTS = {"compute-00001": 0, "compute-00002": 1}  # fqdn short name → index


def _flat(labels: dict, value: float) -> tuple[dict, list]:
    return labels, [(t, value) for t in STEPS]


def _series():
    temps, power, sensors, hwmon = [], [], [], []
    for host, k in HOSTS.items():
        fqdn = {"fqdn": f"{host}.sim.local"}
        temps.append(_flat({**fqdn, "name": "Inlet Temp", "id": "4"}, 20.0 + k))
        temps.append(_flat({**fqdn, "name": "Exhaust Temp", "id": "5"}, 30.0 + k))
        temps.append(_flat({**fqdn, "name": "CPU1 Temp", "id": "6"}, 70.0))  # neither
        power.append(_flat(fqdn, 200.0 + 10 * k))
        sensors.append(_flat({**fqdn, "name": "System Airflow", "type": "Other"}, 40.0 + k))
        sensors.append(_flat({**fqdn, "name": "Fan1", "type": "Fan"}, 9000.0))
        hwmon.append(_flat({**fqdn, "chip": "platform_nct6775", "sensor": "temp2"}, 41.0 + k))
        hwmon.append(_flat({**fqdn, "chip": "platform_nct6775", "sensor": "temp1"}, 99.0))
    cache = [_flat({"resource": "vm-1"}, 2.0e6), _flat({"resource": "vm-2"}, 3.0e6)]
    return {
        "ipmi_temperature_celsius": temps,
        "ipmi_dcmi_power_consumption_watts": power,
        "ipmi_sensor_value": sensors,
        "node_hwmon_temp_celsius": hwmon,
        "ceilometer_cpu_l3_cache": cache,
    }


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    server = PrometheusServer(tmp_path_factory.mktemp("prom-hw"), openmetrics(_series()))
    yield server
    server.stop()


def _model() -> ClusterModel:
    model = ClusterModel()
    for host, k in HOSTS.items():
        model.add_node(ComputeNode(f"n{k}", host, 8, 65536, 100))
    model.add_node(ComputeNode("n9", "compute-00009", 8, 65536, 100))  # no exporter
    for uuid in ("vm-1", "vm-2", "vm-3"):
        model.add_instance(Instance(uuid, uuid, 2, 4096, 20, host="compute-00001"))
    return model


def _read(ds, model) -> dict:
    out = {}
    for node in model.nodes.values():
        for metric in ("host_inlet_temp", "host_outlet_temp", "host_power", "host_airflow"):
            out[(metric, node.uuid)] = ds.host_metric(node, metric, 300)
    for instance in model.instances.values():
        out[("instance_l3_cache_usage", instance.uuid)] = ds.instance_metric(
            instance, "instance_l3_cache_usage", 300
        )
    return out


def test_default_exporter_series_give_every_hardware_metric_batched_or_not(prometheus):
    # Given a datasource bound to the audit and one asking per resource
    model = _model()
    batched = HardwarePrometheusDatasource(prometheus.url, at=END)
    batched.bind(model)
    single = HardwarePrometheusDatasource(prometheus.url, at=END)
    # When every hardware metric is read for every host and instance
    got = _read(batched, model)
    # Then both agree, and the values are the exporters' (airflow in 0.1 CFM)
    assert got == _read(single, model)
    assert got[("host_inlet_temp", "n0")] == 20.0 and got[("host_inlet_temp", "n1")] == 21.0
    assert got[("host_outlet_temp", "n1")] == 31.0  # the CPU sensor is not the outlet
    assert got[("host_power", "n0")] == 200.0
    assert got[("host_airflow", "n1")] == pytest.approx(410.0)
    assert got[("instance_l3_cache_usage", "vm-2")] == 3.0e6
    assert got[("host_power", "n9")] is None and got[("instance_l3_cache_usage", "vm-3")] is None
    assert {"host_outlet_temp", "host_cpu_usage", "instance_l3_cache_usage"} <= batched.metrics()


def test_configured_names_read_node_exporter_hwmon(prometheus):
    # Given an operator whose outlet sensor is hwmon chip nct6775, temp2
    names = {
        "host_outlet_temp": {
            "series": "node_hwmon_temp_celsius",
            "match": 'chip="platform_nct6775",sensor="temp2"',
        }
    }
    ds = HardwarePrometheusDatasource(prometheus.url, at=END, hardware_metrics=json.dumps(names))
    model = _model()
    ds.bind(model)
    # Then outlet temperatures come from hwmon, the rest from the defaults
    assert ds.host_metric(model.nodes["compute-00002"], "host_outlet_temp", 300) == 42.0
    assert ds.host_metric(model.nodes["compute-00002"], "host_inlet_temp", 300) == 21.0


@pytest.mark.parametrize(
    "raw, message",
    [
        ("{", "is not JSON"),
        ('{"host_fan": {"series": "x"}}', "names 'host_fan'"),
        ('{"host_power": {"serie": "x"}}', "takes only"),
        ('{"host_power": {"reduce": "median"}}', "reduce of 'host_power'"),
    ],
)
def test_bad_hardware_names_fail_with_what_to_fix(raw, message):
    with pytest.raises(DatasourceError, match=message):
        HardwarePrometheusDatasource("http://127.0.0.1:9", hardware_metrics=raw)
