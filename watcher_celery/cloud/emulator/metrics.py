"""``/metrics``: the simulated cloud as node_exporter, the IPMI exporter and ceilometer would
expose it.

Counters (``node_cpu_seconds_total`` idle, ``ceilometer_cpu`` in ns) are integrated between
scrapes from the current load, so Prometheus' ``rate()`` over them gives back the simulated
CPU use. Hosts carry an ``fqdn`` label (hostname plus the emulator's domain), instances a
``resource`` label with their uuid: the labels the Prometheus datasource queries by default.
"""

from __future__ import annotations

import threading
import time

from flask import Blueprint, Response, current_app

from watcher_celery.cloud.emulator.common import cloud
from watcher_celery.cloud.sim import metrics as series
from watcher_celery.cloud.sim import profiles

bp = Blueprint("metrics", __name__)
_lock = threading.Lock()


@bp.get("/metrics")
def metrics():
    state = current_app.config.setdefault("COUNTERS", {"t": None, "idle": {}, "cpu_ns": {}})
    domain = current_app.config.get("FQDN_DOMAIN", "sim.local")
    sim = cloud()
    hosts, instances = sim.metric_rows()
    now_wall = time.time()
    t = sim.metrics_time()
    loads = profiles.host_loads(hosts, instances, t)
    memory = {n.hostname: n.memory for n in sim.compute_nodes()}
    with _lock:
        dt = 0.0 if state["t"] is None else max(0.0, now_wall - state["t"])
        state["t"] = now_wall
        lines = ["# TYPE node_cpu_seconds_total counter"]
        for host, load in sorted(loads.items()):
            idle = state["idle"].get(host, 0.0) + dt * (1.0 - load.cpu / 100.0)
            state["idle"][host] = idle
            lines.append(
                f'node_cpu_seconds_total{{cpu="0",fqdn="{host}.{domain}",mode="idle"}} {idle}'
            )
        lines.append("# TYPE node_memory_MemTotal_bytes gauge")
        lines += [
            f'node_memory_MemTotal_bytes{{fqdn="{h}.{domain}"}} {memory[h] * 1048576}'
            for h in sorted(loads)
        ]
        lines.append("# TYPE node_memory_MemAvailable_bytes gauge")
        lines += [
            f'node_memory_MemAvailable_bytes{{fqdn="{h}.{domain}"}} '
            f"{max(0.0, memory[h] * 1048576 - load.ram_kib * 1024)}"
            for h, load in sorted(loads.items())
        ]
        lines += _hardware(loads, domain)
        cpu_lines = ["# TYPE ceilometer_cpu counter"]
        mem_lines = ["# TYPE ceilometer_memory_usage gauge"]
        cache_lines = ["# TYPE ceilometer_cpu_l3_cache gauge"]
        for row in instances:
            values = series.instance_values(row, t)
            used = dt * values["instance_cpu_usage"] / 100.0 * row["vcpus"] * 1e9
            total = state["cpu_ns"].get(row["uuid"], 0.0) + used
            state["cpu_ns"][row["uuid"]] = total
            cpu_lines.append(f'ceilometer_cpu{{resource="{row["uuid"]}"}} {total}')
            mem_lines.append(
                f'ceilometer_memory_usage{{resource="{row["uuid"]}"}} '
                f"{values['instance_ram_usage']}"
            )
            cache_lines.append(
                f'ceilometer_cpu_l3_cache{{resource="{row["uuid"]}"}} '
                f"{values['instance_l3_cache_usage']}"
            )
    body = "\n".join(lines + cpu_lines + mem_lines + cache_lines) + "\n"
    return Response(body, mimetype="text/plain; version=0.0.4")


def _hardware(loads, domain: str) -> list[str]:
    """The IPMI exporter's series: inlet and exhaust sensors, DCMI power, airflow in CFM."""
    temps = ["# TYPE ipmi_temperature_celsius gauge"]
    power = ["# TYPE ipmi_dcmi_power_consumption_watts gauge"]
    airflow = ["# TYPE ipmi_sensor_value gauge"]
    for host, load in sorted(loads.items()):
        values = series.host_values(load)
        fqdn = f'fqdn="{host}.{domain}"'
        temps.append(
            f'ipmi_temperature_celsius{{{fqdn},name="Inlet Temp"}} {values["host_inlet_temp"]}'
        )
        temps.append(
            f'ipmi_temperature_celsius{{{fqdn},name="Exhaust Temp"}} {values["host_outlet_temp"]}'
        )
        power.append(f"ipmi_dcmi_power_consumption_watts{{{fqdn}}} {values['host_power']}")
        airflow.append(
            f'ipmi_sensor_value{{{fqdn},name="System Airflow",type="Other"}} '
            f"{values['host_airflow'] / 10.0}"
        )
    return temps + power + airflow
