"""The simulated cloud's series over a period, for every resource at once.

Reading a whole cloud must not cost a pass over every instance per sample instant. An instance
whose cycle never reaches 0 or 100 % adds ``a + b·sin(ωt) + c·cos(ωt)`` cores to its host, so
:func:`host_profiles` folds each host's instances into those three numbers in one pass (the
clamped instances, a minority, are kept apart and summed per instant); a host's load at any
instant then costs a few operations. The mean of an unclamped instance's CPU over equally
spaced instants comes from Σsin(ωt) and Σcos(ωt), shared by all instances (:class:`Samples`).
The values are those of ``cloud/sim/metrics.py`` up to floating-point rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from watcher_celery.cloud.sim.metrics import (
    CONSTANT_INSTANCE_METRICS,
    INSTANCE_SERIES,
    OMEGA,
    RUNNING,
    HostLoad,
    aggregate,
    host_values,
)


def unclamped(base: float, amp: float) -> bool:
    """True when the cycle stays within 0-100 %, so it is a plain sinusoid."""
    return base * (1.0 + abs(amp)) <= 100.0 and base * (1.0 - abs(amp)) >= 0.0


class Samples:
    """The instants of one read (period, granularity) with sin(ωt) and cos(ωt) of each."""

    def __init__(self, times: list[float]) -> None:
        self.times = times
        self.sines = [math.sin(OMEGA * t) for t in times]
        self.cosines = [math.cos(OMEGA * t) for t in times]
        self.sin_sum = sum(self.sines)
        self.cos_sum = sum(self.cosines)

    def instance_cpu_mean(self, base: float, amp: float, phase: float) -> float:
        """Mean CPU over the instants: closed form for an unclamped cycle, else sampled."""
        n = len(self.times)
        if unclamped(base, amp):
            swing = self.sin_sum * math.cos(phase) + self.cos_sum * math.sin(phase)
            return base + base * amp * swing / n
        p, q = base * amp * math.cos(phase), base * amp * math.sin(phase)
        total = 0.0
        for s, c in zip(self.sines, self.cosines, strict=True):
            total += _clamp(base + p * s + q * c)
        return total / n


def _clamp(value: float) -> float:
    return 100.0 if value > 100.0 else 0.0 if value < 0.0 else value


@dataclass(slots=True)
class HostProfile:
    """A host's load as a function of time.

    ``a + b·sin(ωt) + c·cos(ωt)`` cores from its unclamped instances, plus ``clamped``
    instances as (base, base·amp·cos φ, base·amp·sin φ, vcpus/100); memory use is constant.
    """

    template: HostLoad
    a: float = 0.0
    b: float = 0.0
    c: float = 0.0
    clamped: list[tuple[float, float, float, float]] = field(default_factory=list)

    def cores(self, s: float, c: float) -> float:
        """Cores in use at the instant whose sin(ωt), cos(ωt) are ``s``, ``c``."""
        cores = self.a + self.b * s + self.c * c
        for base, p, q, scale in self.clamped:
            cores += _clamp(base + p * s + q * c) * scale
        return cores

    def load(self, s: float, c: float) -> HostLoad:
        tpl = self.template
        return HostLoad(
            tpl.vcpus, tpl.cpu_overhead, tpl.ram_overhead_mb, tpl.inlet_temp,
            self.cores(s, c), tpl.ram_used_mb,
        )  # fmt: skip

    def at(self, t: float) -> HostLoad:
        return self.load(math.sin(OMEGA * t), math.cos(OMEGA * t))


def host_profiles(hosts, instances) -> dict[str, HostProfile]:
    """Each host's profile from the store's metric rows (one pass over instances).

    ``hosts`` rows: hostname, vcpus, cpu_overhead, ram_overhead_mb, inlet_temp;
    ``instances`` rows: the store's instance columns, with ``host``.
    """
    profiles = {h[0]: HostProfile(HostLoad(h[1], h[2], h[3], h[4])) for h in hosts}
    for row in instances:
        profile = profiles.get(row["host"])
        if profile is None or row["state"] not in RUNNING:
            continue
        base, amp, phase, scale = row["cpu_base"], row["cpu_amp"], row["phase"], row["vcpus"]
        scale /= 100.0
        profile.template.ram_used_mb += row["memory_mb"] * row["ram_frac"]
        p, q = base * amp * math.cos(phase), base * amp * math.sin(phase)
        if unclamped(base, amp):
            profile.a += base * scale
            profile.b += p * scale
            profile.c += q * scale
        else:
            profile.clamped.append((base, p, q, scale))
    return profiles


def host_loads(hosts, instances, t: float) -> dict[str, HostLoad]:
    """Each host's load at ``t``."""
    return {h: p.at(t) for h, p in host_profiles(hosts, instances).items()}


def host_aggregate(profile: HostProfile, metric: str, samples: Samples, how: str) -> float:
    """One host metric aggregated over ``samples``."""
    if how == "count":
        return float(len(samples.times))
    tpl = profile.template
    if metric == "host_ram_usage":  # constant: instances' memory use does not cycle
        return tpl.ram_kib
    pairs = zip(samples.sines, samples.cosines, strict=True)
    if metric == "host_cpu_usage":
        overhead, vcpus = tpl.cpu_overhead, tpl.vcpus  # HostLoad.cpu, without the object
        values = [min(100.0, overhead + 100.0 * profile.cores(s, c) / vcpus) for s, c in pairs]
    else:
        values = [host_values(profile.load(s, c))[metric] for s, c in pairs]
    return aggregate(values, how)


def instance_aggregates(rows, metric: str, samples: Samples, how: str) -> dict:
    """:func:`instance_aggregate` of many ``(key, row)`` pairs, by key; the case is chosen once."""
    if how == "mean" and metric == "instance_cpu_usage":
        mean = samples.instance_cpu_mean
        return {
            key: mean(row["cpu_base"], row["cpu_amp"], row["phase"])
            if row["state"] in RUNNING
            else 0.0
            for key, row in rows
        }
    if how != "count" and metric in CONSTANT_INSTANCE_METRICS:
        series, t = INSTANCE_SERIES[metric], samples.times[0]
        return {key: series(row, t) for key, row in rows}
    return {key: instance_aggregate(row, metric, samples, how) for key, row in rows}


def instance_aggregate(row, metric: str, samples: Samples, how: str) -> float | None:
    """One instance metric aggregated over ``samples``."""
    if how == "count":
        return float(len(samples.times))
    series = INSTANCE_SERIES[metric]
    if metric in CONSTANT_INSTANCE_METRICS:
        return series(row, samples.times[0])
    if metric == "instance_cpu_usage" and how == "mean":
        if row["state"] not in RUNNING:
            return 0.0
        return samples.instance_cpu_mean(row["cpu_base"], row["cpu_amp"], row["phase"])
    return aggregate([series(row, t) for t in samples.times], how)
