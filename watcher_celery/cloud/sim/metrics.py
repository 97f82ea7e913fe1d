"""Metric series of the simulated cloud, derived from each instance's load profile.

An instance's CPU load follows a daily cycle ``base × (1 + amp × sin(2πt/86400 + phase))``;
its memory use is a fixed fraction of its flavor. A host's load is the sum of its running
instances' load plus its own overhead, so moving an instance moves its load with it.
Temperatures, airflow and power follow the host's CPU load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAY = 86400.0
RUNNING = ("active",)


def instance_cpu(base: float, amp: float, phase: float, t: float) -> float:
    """CPU use in % (0-100) at time ``t``."""
    value = base * (1.0 + amp * math.sin(2 * math.pi * t / DAY + phase))
    return min(100.0, max(0.0, value))


@dataclass(slots=True)
class HostLoad:
    vcpus: int
    cpu_overhead: float
    ram_overhead_mb: float
    inlet_temp: float
    cpu_core_seconds: float = 0.0  # Σ instance cpu% × vcpus / 100
    ram_used_mb: float = 0.0

    @property
    def cpu(self) -> float:
        return min(100.0, self.cpu_overhead + 100.0 * self.cpu_core_seconds / self.vcpus)

    @property
    def ram_kib(self) -> float:
        return (self.ram_overhead_mb + self.ram_used_mb) * 1024.0


def host_values(load: HostLoad) -> dict[str, float]:
    """Every host metric (watcher names, §9.1 units) for one instant."""
    cpu = load.cpu
    return {
        "host_cpu_usage": cpu,
        "host_ram_usage": load.ram_kib,
        "host_inlet_temp": load.inlet_temp,
        "host_outlet_temp": load.inlet_temp + 0.2 * cpu,
        "host_airflow": 300.0 + 6.0 * cpu,
        "host_power": 120.0 + 2.5 * cpu,
    }


def instance_values(row, t: float) -> dict[str, float]:
    """Every instance metric for one instant; ``row`` has the store's instance columns."""
    running = row["state"] in RUNNING
    cpu = instance_cpu(row["cpu_base"], row["cpu_amp"], row["phase"], t) if running else 0.0
    return {
        "instance_cpu_usage": cpu,
        "instance_ram_usage": row["memory_mb"] * row["ram_frac"] if running else 0.0,
        "instance_ram_allocated": float(row["memory_mb"]),
        "instance_l3_cache_usage": row["vcpus"] * 1048576.0 * cpu / 100.0,
        "instance_root_disk_size": float(row["root_gb"]),
    }


def aggregate(values: list[float], how: str) -> float | None:
    if not values:
        return None
    if how == "max":
        return max(values)
    if how == "min":
        return min(values)
    if how == "count":
        return float(len(values))
    return sum(values) / len(values)


def sample_times(now: float, period: int, granularity: int) -> list[float]:
    """Instants sampled over the last ``period`` s, every ``granularity`` s, ending at now."""
    step = max(1, granularity)
    count = max(1, int(period // step))
    return [now - step * k for k in range(count)]


def host_loads(hosts, instances, t: float) -> dict[str, HostLoad]:
    """Each host's load at ``t`` from the store's metric rows (one pass over instances).

    ``hosts`` rows: hostname, vcpus, cpu_overhead, ram_overhead_mb, inlet_temp;
    ``instances`` rows: as :func:`instance_values` reads them, plus ``host``.
    """
    loads = {h[0]: HostLoad(h[1], h[2], h[3], h[4]) for h in hosts}
    for row in instances:
        load = loads.get(row["host"])
        if load is None or row["state"] not in RUNNING:
            continue
        cpu = instance_cpu(row["cpu_base"], row["cpu_amp"], row["phase"], t)
        load.cpu_core_seconds += cpu * row["vcpus"] / 100.0
        load.ram_used_mb += row["memory_mb"] * row["ram_frac"]
    return loads
