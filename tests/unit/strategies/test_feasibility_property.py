"""Every moving strategy, on random clusters, proposes only plans the cluster can carry out.

Hypothesis draws small clusters (hosts with reserved amounts, allocation ratios, disabled and
down hosts, two zones; instances of random flavors and states, some pinned to a zone, some
excluded; server groups of every policy; storage pools and volumes) and random metric values,
runs each strategy with each parameter set below, and hands the plan to
``harness.plan_validator`` (written apart from the rule the strategies use). A strategy
may refuse (``StrategyError``) but never propose an infeasible plan.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.plan_validator import problems
from watcher_celery.datasources.memory import MemoryDatasource
from watcher_celery.errors import StrategyError
from watcher_celery.model import (
    BaremetalNode,
    ClusterModel,
    ComputeNode,
    Instance,
    ServerGroup,
    StoragePool,
    Volume,
)
from watcher_celery.plugins import StrategyContext
from watcher_celery.plugins.metrics import HOST_METRICS, INSTANCE_METRICS
from watcher_celery.plugins.parameters import validate
from watcher_celery.plugins.registry import get_registry

FLAVORS = ((1, 512, 1), (1, 2048, 20), (2, 4096, 40), (4, 8192, 80), (8, 16384, 160), (2, 4096, 0))
STATES = ("active", "active", "active", "stopped", "paused", "error")
ZONES = ("az1", "az2")


def _host(index: int, draw) -> ComputeNode:
    vcpus = draw(st.sampled_from((4, 8, 16, 32)))
    memory = draw(st.sampled_from((8192, 16384, 32768, 65536)))
    disk = draw(st.sampled_from((100, 200, 400, 1000)))
    roll = draw(st.integers(0, 19))
    return ComputeNode(
        f"00000000-0000-4000-8000-{index:012d}",
        f"h{index}",
        vcpus,
        memory,
        disk,
        vcpu_reserved=draw(st.sampled_from((0, 1))),
        memory_mb_reserved=draw(st.sampled_from((0, 512, 2048))),
        disk_gb_reserved=draw(st.sampled_from((0, 10))),
        vcpu_ratio=draw(st.sampled_from((1.0, 2.0, 4.0))),
        memory_ratio=draw(st.sampled_from((1.0, 1.5))),
        disk_ratio=draw(st.sampled_from((1.0, 1.2))),
        state="down" if roll == 0 else "up",
        status="disabled" if roll == 1 else "enabled",
        availability_zone=ZONES[index % 2],
        baremetal_uuid=f"10000000-0000-4000-8000-{index:012d}",
    )


@st.composite
def clusters(draw) -> tuple[ClusterModel, MemoryDatasource]:
    model = ClusterModel()
    for index in range(draw(st.integers(2, 7))):
        model.add_node(_host(index, draw))
    rng = random.Random(draw(st.integers(0, 2**32)))
    hosts = list(model.nodes)
    for n in range(draw(st.integers(0, 28))):
        vcpus, memory, disk = rng.choice(FLAVORS)
        host = rng.choice(hosts)
        instance = Instance(
            f"20000000-0000-4000-8000-{n:012d}",
            f"vm{n}",
            vcpus,
            memory,
            disk,
            state=rng.choice(STATES),
            host=host,
            project_id=rng.choice(("p1", "p2")),
            metadata={"watcher-priority": rng.randint(1, 9)},
            watcher_exclude=rng.random() < 0.1,
            pinned_az=model.nodes[host].availability_zone if rng.random() < 0.3 else None,
            created=f"2026-01-{1 + n % 28:02d}T00:00:00Z",
        )
        if model.fits(instance, host):  # clusters start within their capacity
            model.add_instance(instance)
    _server_groups(model, rng)
    _storage(model, rng)
    for node in model.nodes.values():
        power = "power off" if node.state == "down" and rng.random() < 0.7 else "power on"
        model.baremetal[node.baremetal_uuid] = BaremetalNode(
            node.baremetal_uuid, power, maintenance=rng.random() < 0.1,
            hypervisor_hostname=node.hostname,
        )  # fmt: skip
    return model, _metrics(model, rng)


def _server_groups(model: ClusterModel, rng: random.Random) -> None:
    """Anti-affinity groups of instances on distinct hosts, affinity groups sharing one host."""
    free = sorted(model.instances)
    rng.shuffle(free)
    for g in range(rng.randint(0, 4)):
        policy = rng.choice(("anti-affinity", "soft-anti-affinity", "affinity", "soft-affinity"))
        members: list[str] = []
        if policy.endswith("anti-affinity"):
            hosts: set[str | None] = set()
            for uuid in list(free):
                if model.instances[uuid].host not in hosts and len(members) < rng.randint(2, 4):
                    members.append(uuid)
                    hosts.add(model.instances[uuid].host)
        elif free:
            host = model.instances[free[0]].host
            members = [u for u in free if model.instances[u].host == host][: rng.randint(1, 3)]
        if members:
            free = [u for u in free if u not in members]
            uuid = f"40000000-0000-4000-8000-{g:012d}"
            model.add_server_group(ServerGroup(uuid, f"group{g}", policy, tuple(members)))


def _storage(model: ClusterModel, rng: random.Random) -> None:
    for p in range(rng.randint(0, 4)):
        total = rng.choice((100.0, 200.0, 500.0))
        model.pools[f"c@b{p}#b{p}"] = StoragePool(
            f"c@b{p}#b{p}", total, total, volume_types=(f"t{p % 2}",)
        )
    pools = list(model.pools.values())
    instances = list(model.instances)
    for v in range(rng.randint(0, 12) if pools else 0):
        pool = rng.choice(pools)
        size = rng.choice((1, 10, 20, 50))
        if pool.free_capacity_gb < size:
            continue
        pool.free_capacity_gb -= size
        pool.allocated_capacity_gb += size
        attached = instances and rng.random() < 0.4
        model.volumes[f"30000000-0000-4000-8000-{v:012d}"] = Volume(
            f"30000000-0000-4000-8000-{v:012d}",
            f"vol{v}",
            size,
            status="in-use" if attached else rng.choice(("available", "available", "error")),
            pool=pool.name,
            volume_type=pool.volume_types[0],
            attachments=[{"server_id": rng.choice(instances)}] if attached else [],
            bootable=rng.random() < 0.3,
        )


def _metrics(model: ClusterModel, rng: random.Random) -> MemoryDatasource:
    data = MemoryDatasource()
    ranges = {
        "host_cpu_usage": (0, 100),
        "host_ram_usage": (0, 64e6),
        "host_outlet_temp": (20, 50),
        "host_inlet_temp": (15, 35),
        "host_airflow": (200, 900),
        "host_power": (100, 450),
        "instance_cpu_usage": (0, 100),
        "instance_ram_usage": (0, 16384),
        "instance_ram_allocated": (512, 16384),
        "instance_l3_cache_usage": (0, 8e6),
        "instance_root_disk_size": (0, 160),
    }
    for node in model.nodes.values():
        for metric in HOST_METRICS:
            data.set(node.uuid, metric, rng.uniform(*ranges[metric]))
    for instance in model.instances.values():
        for metric in INSTANCE_METRICS:
            data.set(instance.uuid, metric, rng.uniform(*ranges[metric]))
        for period in (100, 200):  # noisy_neighbor compares its period with twice as long
            value = rng.uniform(*ranges["instance_l3_cache_usage"])
            data.inject(instance.uuid, "instance_l3_cache_usage", value, period=period)
    return data


def _some_host(model: ClusterModel, rng: random.Random) -> str:
    return rng.choice(sorted(model.nodes))


def _some_pool(model: ClusterModel, rng: random.Random) -> str | None:
    return rng.choice(sorted(model.pools)) if model.pools else None


def _zone_migration(model: ClusterModel, rng: random.Random, directed: bool) -> dict:
    hosts = sorted(model.nodes)
    nodes = []
    for src in rng.sample(hosts, k=rng.randint(1, min(3, len(hosts)))):
        entry = {"src_node": src}
        if directed:
            entry["dst_node"] = rng.choice(hosts)
        nodes.append(entry)
    pools = []
    if model.pools:
        src = _some_pool(model, rng)
        pools.append({"src_pool": src, "dst_pool": _some_pool(model, rng)})
        pools.append({"src_pool": _some_pool(model, rng), "dst_type": rng.choice(("t0", "t1"))})
    return {
        "compute_nodes": nodes,
        "storage_pools": pools,
        "parallel_total": rng.randint(1, 30),
        "parallel_per_node": rng.randint(1, 10),
        "with_attached_volume": rng.random() < 0.5,
        "priority": {"compute": rng.choice(("vcpu_num", "disk_size", "created_at"))},
    }


# Strategy name → functions giving parameter sets for a cluster (None: nothing to run).
PARAMETER_SETS = {
    "basic": [lambda m, r: {}],
    "vm_workload_consolidation": [lambda m, r: {}],
    "node_resource_consolidation": [
        lambda m, r: {"host_choice": "auto"},
        lambda m, r: {"host_choice": "specify"},
    ],
    "workload_stabilization": [
        lambda m, r, c=choice: {"host_choice": c, "thresholds": {"instance_cpu_usage": 0.01}}
        for choice in ("cycle", "retry", "fullsearch")
    ]
    + [
        lambda m, r: {
            "metrics": ["instance_cpu_usage", "instance_ram_usage"],
            "host_choice": "retry",
            "retry_count": 3,
            "thresholds": {"instance_cpu_usage": 0.0, "instance_ram_usage": 0.0},
        }
    ],
    "host_maintenance": [
        lambda m, r: {"maintenance_node": _some_host(m, r)},
        lambda m, r: {"maintenance_node": _some_host(m, r), "backup_node": _some_host(m, r)},
        lambda m, r: {"maintenance_node": _some_host(m, r), "disable_live_migration": True},
    ],
    "workload_balance": [
        lambda m, r: {"threshold": r.choice((5.0, 25.0, 60.0))},
        lambda m, r: {"metrics": "instance_ram_usage", "threshold": r.choice((5.0, 25.0))},
    ],
    "outlet_temperature": [lambda m, r: {"threshold": r.choice((25.0, 35.0, 45.0))}],
    "uniform_airflow": [
        lambda m, r: {},
        lambda m, r: {"threshold_power": 1000.0, "threshold_inlet_t": 100.0},
    ],
    "noisy_neighbor": [lambda m, r: {"cache_threshold": r.choice((0.0, 10.0, 35.0))}],
    "saving_energy": [
        lambda m, r: {"free_used_percent": r.choice((0.0, 10.0, 50.0)), "min_free_hosts_num": 1},
        lambda m, r: {"free_used_percent": 100.0, "min_free_hosts_num": r.randint(0, 5)},
    ],
    "storage_capacity_balance": [lambda m, r: {"volume_threshold": r.choice((5.0, 20.0, 50.0))}],
    "zone_migration": [
        lambda m, r: _zone_migration(m, r, directed=True),
        lambda m, r: _zone_migration(m, r, directed=False),
    ],
    "solver_consolidation": [
        lambda m, r: {"time_budget": 1},
        lambda m, r: {"time_budget": 1, "live_only": True, "max_migrations": r.randint(1, 4)},
    ],
}


def _moving_strategies() -> list[str]:
    """Every installed strategy that reads a cluster model, so it may move something."""
    return sorted(name for name, s in get_registry().strategies.items() if s.models)


def test_every_moving_strategy_is_checked():
    assert set(_moving_strategies()) <= set(PARAMETER_SETS)


@pytest.mark.parametrize("name", _moving_strategies())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=clusters(), seed=st.integers(0, 2**16))
def test_no_strategy_proposes_an_infeasible_plan(name, drawn, seed):
    # Given a random cluster and random metrics
    model, metrics = drawn
    strategy = get_registry().strategy(name)
    for make in PARAMETER_SETS[name]:
        rng = random.Random(seed)
        parameters = make(model, rng)
        if parameters is None:
            continue
        # When the strategy plans on its own copy of the cluster
        context = StrategyContext(
            parameters=validate(strategy.parameters_schema, parameters),
            model=model.copy(),
            metrics=metrics,
        )
        try:
            solution = strategy.execute(context)
        except StrategyError:
            continue  # refusing is allowed; an infeasible plan is not
        # Then the independent validator finds nothing wrong with the plan
        assert problems(model, solution) == [], (name, parameters)
