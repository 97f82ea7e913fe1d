"""Metric series of the simulated cloud, derived from each instance's load profile.

An instance's CPU load follows a daily cycle ``base × (1 + amp × sin(2πt/86400 + phase))``;
its memory use is a fixed fraction of its flavor. A host's load is the sum of its running
instances' load plus its own overhead, so moving an instance moves its load with it.
Temperatures, airflow and power follow the host's CPU load.

These are the values at one instant; ``cloud/sim/profiles.py`` reads them over a period for a
whole cloud at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAY = 86400.0
OMEGA = 2 * math.pi / DAY
RUNNING = ("active",)
# Instance metrics that do not change over time (they depend on the flavor and state only).
CONSTANT_INSTANCE_METRICS = frozenset(
    ("instance_ram_usage", "instance_ram_allocated", "instance_root_disk_size")
)


def instance_cpu(base: float, amp: float, phase: float, t: float) -> float:
    """CPU use in % (0-100) at time ``t``."""
    value = base * (1.0 + amp * math.sin(OMEGA * t + phase))
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


def _cpu(row, t: float) -> float:
    if row["state"] not in RUNNING:
        return 0.0
    return instance_cpu(row["cpu_base"], row["cpu_amp"], row["phase"], t)


# Each instance metric at one instant; ``row`` has the store's instance columns.
INSTANCE_SERIES = {
    "instance_cpu_usage": _cpu,
    "instance_ram_usage": lambda row, _t: (
        row["memory_mb"] * row["ram_frac"] if row["state"] in RUNNING else 0.0
    ),
    "instance_ram_allocated": lambda row, _t: float(row["memory_mb"]),
    "instance_l3_cache_usage": lambda row, t: row["vcpus"] * 1048576.0 * _cpu(row, t) / 100.0,
    "instance_root_disk_size": lambda row, _t: float(row["root_gb"]),
}


def instance_values(row, t: float) -> dict[str, float]:
    """Every instance metric for one instant."""
    return {name: series(row, t) for name, series in INSTANCE_SERIES.items()}


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
