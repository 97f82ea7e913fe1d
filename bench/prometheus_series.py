"""node_exporter and ceilometer-exporter series of a simulated cloud, as OpenMetrics text.

What ``promtool tsdb create-blocks-from openmetrics`` backfills for the Prometheus audit
benchmark: one sample per ``step`` seconds up to ``end``, over ``host_period`` s for hosts and
``instance_period`` s for instances (the longest periods the benchmarked strategies read).
Values follow the simulated cloud's load profiles (``cloud/sim/metrics.py``), so the audit
sees the load the simulated cloud would report:

* ``node_cpu_seconds_total{cpu, mode="idle"|"user", fqdn, instance, job}``: per-CPU counters
  integrated from the host's CPU use (``cpus_per_host`` CPUs each, all equally busy);
* ``node_memory_MemTotal_bytes`` / ``node_memory_MemAvailable_bytes``;
* ``ceilometer_cpu{resource}`` (ns, integrated) and ``ceilometer_memory_usage{resource}``
  (MB) for running instances only, as ceilometer polls only running domains.

Hosts carry ``fqdn = <hostname>.<domain>``, so the datasource matches them by short name.
Hosts whose compute service is down stopped reporting ``stale_seconds`` before ``end``
(stale targets: their label values exist, their recent samples do not).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from watcher_celery.cloud.sim import metrics as sim
from watcher_celery.cloud.sim import profiles

MIB = 1048576


def _times(end: int, period: int, step: int) -> list[int]:
    count = period // step + 2  # a little more than the period, so rate() sees it whole
    return [end - step * k for k in range(count - 1, -1, -1)]


def _labels(**labels: str) -> str:
    return ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


def _host_series(cloud: Any, end: int, period: int, step: int, domain: str,
                 stale_seconds: int) -> list[tuple[str, int, list[int], list]]:  # fmt: skip
    """Per host: its labels, memory in bytes, sample times and loads at those times."""
    hosts, rows = cloud.metric_rows()
    by_host = profiles.host_profiles(hosts, rows)
    times = _times(end, period, step)
    out = []
    for node in sorted(cloud.compute_nodes(), key=lambda n: n.hostname):
        fqdn = f"{node.hostname}.{domain}"
        last = end - stale_seconds if node.state == "down" else end
        shown = [t for t in times if t <= last]
        loads = [by_host[node.hostname].at(t) for t in shown]
        labels = {"fqdn": fqdn, "instance": f"{fqdn}:9100", "job": "node"}
        out.append((labels, node.memory * MIB, shown, loads))
    return out


def _host_families(series, step: int, cpus: int) -> Iterator[tuple[str, Iterator[str]]]:
    def cpu_lines():
        for common, _total, shown, loads in series:
            busy = [load.cpu / 100.0 for load in loads]
            for c in range(cpus):
                for mode in ("idle", "user"):
                    labels = _labels(cpu=str(c), mode=mode, **common)
                    counter = 1_000_000.0 + 1000.0 * c
                    for t, b in zip(shown, busy, strict=True):
                        counter += step * (1.0 - b if mode == "idle" else b)
                        yield f"node_cpu_seconds_total{{{labels}}} {counter:.3f} {t}"

    def total_lines():
        for common, total, shown, _loads in series:
            labels = _labels(**common)
            for t in shown:
                yield f"node_memory_MemTotal_bytes{{{labels}}} {total} {t}"

    def available_lines():
        for common, total, shown, loads in series:
            labels = _labels(**common)
            for t, load in zip(shown, loads, strict=True):
                available = max(0.0, total - load.ram_kib * 1024)
                yield f"node_memory_MemAvailable_bytes{{{labels}}} {available:.0f} {t}"

    yield "node_cpu_seconds_total", cpu_lines()
    yield "node_memory_MemTotal_bytes", total_lines()
    yield "node_memory_MemAvailable_bytes", available_lines()


def _instance_families(cloud: Any, end: int, period: int, step: int,
                       label: str) -> Iterator[tuple[str, Iterator[str]]]:  # fmt: skip
    _hosts, rows = cloud.metric_rows()
    times = _times(end, period, step)
    running = [r for r in rows if r["state"] in sim.RUNNING and r["host"]]

    def cpu_lines():
        for row in running:
            labels = f'{label}="{row["uuid"]}"'
            base, amp, phase = row["cpu_base"], row["cpu_amp"], row["phase"]
            scale = step * row["vcpus"] * 1e9 / 100.0
            counter = 0.0
            for t in times:
                counter += scale * sim.instance_cpu(base, amp, phase, t)
                yield f"ceilometer_cpu{{{labels}}} {counter:.0f} {t}"

    def memory_lines():
        for row in running:
            labels = f'{label}="{row["uuid"]}"'
            used = sim.instance_values(row, end)["instance_ram_usage"]
            for t in times:
                yield f"ceilometer_memory_usage{{{labels}}} {used} {t}"

    yield "ceilometer_cpu", cpu_lines()
    yield "ceilometer_memory_usage", memory_lines()


def write(out: IO[str], cloud: Any, end: int, *, host_period: int, instance_period: int,
          step: int = 60, cpus: int = 2, domain: str = "sim.local",
          stale_seconds: int = 1800, label: str = "resource") -> int:  # fmt: skip
    """Write the whole OpenMetrics document, streaming; returns the number of samples."""
    samples = 0
    hosts = _host_series(cloud, end, host_period, step, domain, stale_seconds)
    families = [*_host_families(hosts, step, cpus)]
    families += _instance_families(cloud, end, instance_period, step, label)
    for name, lines in families:
        out.write(f"# TYPE {name} gauge\n")
        buffer = []
        for line in lines:
            buffer.append(line)
            if len(buffer) == 50_000:
                out.write("\n".join(buffer) + "\n")
                samples += len(buffer)
                buffer = []
        if buffer:
            out.write("\n".join(buffer) + "\n")
            samples += len(buffer)
    out.write("# EOF\n")
    return samples
