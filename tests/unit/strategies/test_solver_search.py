"""The solver's search: which hosts it tries to empty, and the cap it keeps while it searches."""

from __future__ import annotations

import time
from pathlib import Path

from strategies.solver import search
from strategies.solver.neighbourhood import Limits
from strategies.solver.placement import Placement
from strategies.solver.problem import build
from strategies.solver.warm_start import warm_start
from tests.unit.strategies.clusters import seeded_cluster
from watcher_celery.model import ClusterModel, ComputeNode, Instance


def _hosts(sizes: dict[str, tuple[int, int, list[int]]]) -> ClusterModel:
    """``{host: (vcpus, disk GB, [instance disk GB, ...])}``: one vCPU, 1 GB memory each."""
    model = ClusterModel()
    for host, (vcpus, disk, disks) in sizes.items():
        model.add_node(ComputeNode(f"uuid-{host}", host, vcpus, 65536, disk))
        for n, gb in enumerate(disks):
            model.add_instance(Instance(f"{host}-{n}", f"{host}-{n}", 1, 1024, gb, host=host))
    return model


def test_the_scarcest_resource_and_the_hosts_tried_first_are_the_small_ones():
    # Given disk is the resource the load fills most, and a large host emptier than the
    # small ones
    model = _hosts(
        {
            "large": (32, 3000, [600]),
            "small-a": (32, 1000, [500]),
            "small-b": (32, 1000, [450]),
            "x": (32, 3000, [2400]),
            "y": (32, 3000, [2500]),
        }
    )
    problem = build(model)
    assert problem.scarcest() == 2
    loads = Placement(problem).loads()
    assert search.fill(problem, loads, "large") < search.fill(problem, loads, "small-b")
    # Then the small hosts are tried first (releasing one costs the kept hosts a third as
    # much disk), the emptier first among alike
    order = sorted(problem.hosts, key=lambda h: search.release_order(problem, loads, h))
    assert order[:2] == ["small-b", "small-a"]
    assert search.pick_sources(problem, loads, list(problem.hosts), None) == ["small-b"]


def test_the_search_ends_within_the_cap_on_migrations_per_released_host(tmp_path: Path):
    model = seeded_cluster(tmp_path, 11, 160)
    problem = build(model)
    free = warm_start(problem, model, Limits())
    search.improve(problem, free, Limits(), time.monotonic() + 4, size=20)
    ratio = free.migrations() / len(free.released()) - 2  # below what the free search spends
    # When the search runs with the cap, the plan it returns keeps it (no pass afterwards)
    held = warm_start(problem, model, Limits(), ratio)
    search.improve(problem, held, Limits(per_released=ratio), time.monotonic() + 4, size=20)
    assert held.released()
    assert held.migrations() <= ratio * len(held.released()) + 1e-9
