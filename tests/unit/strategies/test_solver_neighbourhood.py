"""One neighbourhood of the solver's search: an emptied host can be traded for two others."""

from __future__ import annotations

from strategies.solver import neighbourhood
from strategies.solver.linear import solve_cpsat
from strategies.solver.placement import Placement
from strategies.solver.problem import build
from tests.unit.strategies.clusters import cluster


def test_an_emptied_host_takes_its_instance_back_so_that_two_others_are_emptied():
    # Given e's 8-vCPU instance already moved to x (x now full), and c1, c2 with 4 vCPUs each
    problem = build(cluster({"e": [8], "x": [8], "c1": [4], "c2": [4]}))
    placement = Placement(problem)
    [moved] = problem.origin_items["e"]
    placement.move(moved, "e", "x")
    assert placement.released() == ["e"]
    # When e, c1 and c2 are the sources of a neighbourhood with x
    hood = neighbourhood.build(
        problem,
        placement,
        placement.on_host(),
        placement.loads(),
        ["e", "x", "c1", "c2"],
        ["e", "c1", "c2"],
        neighbourhood.Limits(),
        (0, 0),
    )
    result = solve_cpsat(hood.model, 5)
    assert result.status == "optimal" and result.objective > hood.current_value()
    hood.apply(placement, result)
    # Then two hosts are released instead of one, and the loads hold
    assert len(placement.released()) == 2
    for host, load in placement.loads().items():
        capacity = problem.hosts[host].capacity
        assert all(used <= cap for used, cap in zip(load, capacity, strict=True)), host


def test_the_caps_count_what_already_moved_outside_the_neighbourhood():
    # Given one migration already planned elsewhere and a cap of one migration
    problem = build(cluster({"a": [4], "b": [4], "x": [8], "y": [8]}))
    placement = Placement(problem)
    placement.move(problem.origin_items["a"][0], "a", "x")
    hood = neighbourhood.build(
        problem,
        placement,
        placement.on_host(),
        placement.loads(),
        ["b", "y"],
        ["b"],
        neighbourhood.Limits(migrations=1),
        (placement.migrations(), placement.moved_mb()),
    )
    result = solve_cpsat(hood.model, 5)
    # Then b may not be emptied: it would be a second migration
    hood.apply(placement, result)
    assert placement.migrations() == 1 and placement.released() == ["a"]
