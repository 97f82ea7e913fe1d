"""A realistic cluster from a seed: the same seed and sizes always give the same cloud.

Hosts come in a few hardware profiles spread over availability zones, each zone with its own
aggregate plus a few cross-zone ones (``ssd``, ``gpu``). Instances use the ``m1.*`` flavors
(small ones most often), belong to projects of very unequal size, and are placed with a skew:
some hosts run hot, a few are left idle, a handful are disabled or down. Each instance has a
base CPU load, a daily amplitude and a phase, from which the metrics module derives series.
About one instance in 100 starts a server group of its project (``_server_groups``): an
anti-affinity one (hard or soft) with members on distinct hosts, or an affinity one (hard or
soft) with members on its host; drawn from a stream of their own, so the rest is unchanged.
"""

from __future__ import annotations

import bisect
import json
import math
import random
from dataclasses import dataclass, field

# name, id, vcpus, ram MB, root disk GB
FLAVORS = (
    ("m1.tiny", "1", 1, 512, 1),
    ("m1.small", "2", 1, 2048, 20),
    ("m1.medium", "3", 2, 4096, 40),
    ("m1.large", "4", 4, 8192, 80),
    ("m1.xlarge", "5", 8, 16384, 160),
)
FLAVOR_WEIGHTS = (10, 35, 30, 18, 7)
# vcpus, memory MB, disk GB, relative frequency
HOST_PROFILES = ((32, 131072, 1000, 3), (48, 262144, 2000, 4), (64, 393216, 3000, 2))
STATES = (("active", 94), ("stopped", 4), ("paused", 1), ("error", 1))
ROLES = ("web", "db", "batch", "cache", "worker")
METADATA = [json.dumps({"role": r}) for r in ROLES]
METADATA += [json.dumps({"role": r, "optimize": "false"}) for r in ROLES]


@dataclass
class Cluster:
    """Rows ready for the store, in table column order."""

    flavors: list[tuple] = field(default_factory=list)
    aggregates: list[tuple] = field(default_factory=list)
    hosts: list[tuple] = field(default_factory=list)
    instances: list[tuple] = field(default_factory=list)
    pools: list[tuple] = field(default_factory=list)
    volumes: list[tuple] = field(default_factory=list)
    baremetal: list[tuple] = field(default_factory=list)
    server_groups: list[tuple] = field(default_factory=list)
    server_group_members: list[tuple] = field(default_factory=list)


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def generate(seed: int, hosts: int, instances: int) -> Cluster:
    """Build a cluster of ``hosts`` compute nodes and (at most) ``instances`` servers."""
    rng = random.Random(seed)
    out = Cluster()
    out.flavors = [(n, i, v, r, d, 0, 0, "{}") for n, i, v, r, d in FLAVORS]
    zones = max(1, min(4, hosts // 8 or 1))
    az_names = [f"az{z + 1}" for z in range(zones)]
    out.aggregates = [(z + 1, f"agg-{az}", az, "{}") for z, az in enumerate(az_names)]
    out.aggregates += [(zones + 1, "ssd", None, '{"disk": "ssd"}')]
    out.aggregates += [(zones + 2, "gpu", None, '{"gpu": "true"}')]

    profiles = [p[:3] for p in HOST_PROFILES]
    profile_w = [p[3] for p in HOST_PROFILES]
    free = []  # [vcpus, ram, disk] capacity left per host, for placement
    weights = []
    for i in range(hosts):
        vcpus, ram, disk = _weighted(rng, profiles, profile_w)
        az = az_names[i * zones // hosts]
        aggs = [f"agg-{az}"]
        if rng.random() < 0.3:
            aggs.append("ssd")
        if rng.random() < 0.05:
            aggs.append("gpu")
        roll = rng.random()
        state, status, reason = "up", "enabled", None
        if roll < 0.01:
            status, reason = "disabled", "maintenance"
        elif roll < 0.015:
            state = "down"
        hostname = f"compute-{i + 1:05d}"
        vcpu_res, ram_res, disk_res = rng.choice((0, 1, 2)), rng.choice((2048, 4096)), 10
        vcpu_ratio, ram_ratio, disk_ratio = 4.0, 1.0, 1.0
        bm_uuid = _uuid(rng)
        out.hosts.append(
            (hostname, _uuid(rng), i + 1, vcpus, ram, disk, vcpu_res, ram_res, disk_res,
             vcpu_ratio, ram_ratio, disk_ratio, state, status, reason, az, ",".join(aggs),
             bm_uuid, round(rng.uniform(1, 4), 2), float(rng.choice((1024, 2048, 3072))),
             round(rng.uniform(18, 26), 1))
        )  # fmt: skip
        out.baremetal.append((bm_uuid, "power on", 0, None, hostname, "{}"))
        free.append([(vcpus - vcpu_res) * vcpu_ratio, (ram - ram_res) * ram_ratio, disk - disk_res])
        # Skew: a Pareto-like weight, 5 % idle hosts, none on unavailable hosts.
        idle = rng.random() < 0.05 or state == "down"
        weights.append(0.0 if idle else rng.paretovariate(1.5))

    projects = [_uuid(rng).replace("-", "") for _ in range(max(3, instances // 40))]
    project_w = [1.0 / (rank + 1) for rank in range(len(projects))]
    project_cum = list(_cumulative(project_w))
    flavor_cum = list(_cumulative(FLAVOR_WEIGHTS))
    host_cum = list(_cumulative(weights))
    state_names, state_w = zip(*STATES, strict=True)
    state_cum = list(_cumulative(state_w))
    total_w = host_cum[-1] if host_cum else 0.0
    for n in range(instances if total_w > 0 else 0):
        name, _, vcpus, ram, disk = FLAVORS[_pick(flavor_cum, rng)]
        slot = _place(rng, host_cum, free, vcpus, ram, disk)
        if slot is None:
            break  # the cloud is full
        row = out.hosts[slot]
        f = free[slot]
        f[0] -= vcpus
        f[1] -= ram
        f[2] -= disk
        metadata = METADATA[n % len(ROLES) + (len(ROLES) if rng.random() < 0.02 else 0)]
        base = 100.0 * rng.random() ** 2.5  # skewed: most instances light, a few busy
        out.instances.append(
            (_uuid(rng), f"vm-{n + 1:06d}", name, vcpus, ram, disk, disk,
             state_names[_pick(state_cum, rng)], None, projects[_pick(project_cum, rng)],
             row[0], metadata, int(rng.random() < 0.01),
             f"2026-01-{1 + n % 28:02d}T{n % 24:02d}:00:00Z", None,
             round(base, 3), round(rng.uniform(0.2, 0.6), 3),
             round(az_names.index(row[15]) * math.pi / 6 + rng.uniform(-0.3, 0.3), 3),
             round(rng.uniform(0.3, 0.95), 3))
        )  # fmt: skip
    _storage(rng, out, az_names, projects)
    _server_groups(random.Random(f"server-groups-{seed}"), out)
    return out


# policy, relative frequency, most members
GROUP_POLICIES = (
    ("anti-affinity", 45, 4), ("soft-anti-affinity", 20, 4),
    ("affinity", 20, 3), ("soft-affinity", 15, 3),
)  # fmt: skip
INSTANCES_PER_GROUP = 100


def _server_groups(rng: random.Random, out: Cluster) -> None:
    """Groups of one project each; an instance is in at most one (as in Nova)."""
    by_project: dict[str, list[tuple]] = {}
    by_host_project: dict[tuple[str, str], list[tuple]] = {}
    for row in out.instances:
        by_project.setdefault(row[9], []).append(row)
        by_host_project.setdefault((row[10], row[9]), []).append(row)
    taken: set[str] = set()
    policies = [p[0] for p in GROUP_POLICIES]
    weights = [p[1] for p in GROUP_POLICIES]
    for n in range(len(out.instances) // INSTANCES_PER_GROUP):
        first = out.instances[rng.randrange(len(out.instances))]
        if first[0] in taken:
            continue
        policy = _weighted(rng, policies, weights)
        most = next(p[2] for p in GROUP_POLICIES if p[0] == policy)
        wanted = rng.randint(2, most)
        members, hosts = [first], {first[10]}
        if policy.endswith("anti-affinity"):
            pool = by_project[first[9]]
            for row in rng.sample(pool, min(len(pool), 8 * wanted)):
                if len(members) < wanted and row[0] not in taken and row[10] not in hosts:
                    members.append(row)
                    hosts.add(row[10])
        else:
            siblings = by_host_project[(first[10], first[9])]
            members += [r for r in siblings if r[0] != first[0] and r[0] not in taken][: wanted - 1]
        group = _uuid(rng)
        out.server_groups.append((group, f"group-{n + 1:05d}", policy, first[9]))
        for row in members:
            taken.add(row[0])
            out.server_group_members.append((row[0], group))


def _storage(rng: random.Random, out: Cluster, az_names: list[str], projects: list[str]) -> None:
    """Two pools per zone and a few volumes per project, some attached to instances."""
    for az in az_names:
        for backend, vtype in (("lvm", "standard"), ("ceph", "fast")):
            out.pools.append((f"cinder-{az}@{backend}#{backend}", 10240.0, 1.0, az, vtype))
    count = min(len(out.instances) // 4 + len(out.pools), 20000)
    for n in range(count):
        pool = out.pools[n % len(out.pools)]
        attach = []
        if out.instances and rng.random() < 0.5:
            server = out.instances[rng.randrange(len(out.instances))][0]
            attach = [{"server_id": server, "attachment_id": _uuid(rng)}]
        out.volumes.append(
            (_uuid(rng), f"vol-{n + 1:05d}", rng.choice((1, 10, 20, 50, 100)),
             "in-use" if attach else "available", pool[0], pool[4],
             projects[n % len(projects)], 0, 0, json.dumps(attach), None, "{}",
             "2026-01-01T00:00:00Z", None)
        )  # fmt: skip


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _pick(cum: list[float], rng: random.Random) -> int:
    return bisect.bisect_right(cum, rng.random() * cum[-1])


def _place(rng, host_cum, free, vcpus, ram, disk) -> int | None:
    """A weighted random host with room; a few tries, then the first host that fits."""
    for _ in range(8):
        slot = min(_pick(host_cum, rng), len(free) - 1)
        f = free[slot]
        if f[0] >= vcpus and f[1] >= ram and f[2] >= disk:
            return slot
    for slot, f in enumerate(free):
        weight = host_cum[slot] - (host_cum[slot - 1] if slot else 0.0)
        if weight > 0 and f[0] >= vcpus and f[1] >= ram and f[2] >= disk:
            return slot
    return None
