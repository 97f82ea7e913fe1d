"""solver_consolidation — near-optimal consolidation with a proven gap (``server_consolidation``).

Chooses the hosts to empty and the destination of every moved instance with an optimisation
solver (OR-Tools CP-SAT): released hosts first, then the least to copy (memory for a live
migration, disk for a cold one, plus a fixed overhead per migration). It starts from the
greedy plan of ``basic``'s engine, improves it neighbourhood by neighbourhood within
``time_budget`` (``strategies.solver.search``) and never returns worse than that start; last,
it spends no more migrations per released host than basic's plan on the same cluster
(``strategies.solver.ratio``: hosts that cost the most are kept). The plan reports, beside the
released hosts, the most any plan could release (a bound the solver proves on a relaxation,
``strategies.solver.bound``) and the gap to it.
"""

from __future__ import annotations

import time

from strategies.basic import BASIC
from strategies.common import WATCHER_DISABLED, add_migration, add_service_state, available_nodes
from strategies.solver import search
from strategies.solver.bound import release_bound
from strategies.solver.neighbourhood import Limits
from strategies.solver.placement import Placement
from strategies.solver.problem import Problem, build
from strategies.solver.ratio import emptied_hosts, hold_ratio, plan_ratio
from strategies.solver.warm_start import warm_start
from strategies.vm_workload_consolidation import VM_WORKLOAD_CONSOLIDATION
from watcher_celery.model import ClusterModel
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

GREEDY = (BASIC, VM_WORKLOAD_CONSOLIDATION)

PARAMETERS = {
    "properties": {
        "time_budget": {
            "description": "Seconds the strategy may spend (greedy start, bound and search).",
            "type": "number",
            "minimum": 1,
            "maximum": 3600,
            "default": 60,
        },
        "max_migrations": {
            "description": "Most migrations the plan may hold (0: no cap).",
            "type": "integer",
            "minimum": 0,
            "default": 0,
        },
        "max_bytes_moved": {
            "description": "Most bytes the migrations may copy (0: no cap).",
            "type": "integer",
            "minimum": 0,
            "default": 0,
        },
        "live_only": {
            "description": "Move running instances only (stopped ones would be cold-migrated).",
            "type": "boolean",
            "default": False,
        },
        "max_migrations_per_released_host": {
            "description": (
                "Most migrations per released host, over the plan (0: as many as basic's plan "
                "on the same cluster spends)."
            ),
            "type": "number",
            "minimum": 0,
            "default": 0,
        },
        "neighbourhood_hosts": {
            "description": "Hosts solved together in one step of the search.",
            "type": "integer",
            "minimum": 2,
            "maximum": 400,
            "default": 40,
        },
    },
}

# Kept for holding the plan to the cap and writing it once the search stops: measured at
# about 0.1 s for 1,000 hosts and 3 s for 10,000 (20,000 and 200,000 instances).
RESERVE_SECONDS = 1.0
RESERVE_SECONDS_PER_HOST = 0.0005


def execute(context: StrategyContext) -> Solution:
    started = time.monotonic()
    params = context.parameters
    model: ClusterModel = context.model
    reserve = RESERVE_SECONDS + RESERVE_SECONDS_PER_HOST * len(model.nodes)
    budget = float(params["time_budget"])
    deadline = started + max(budget / 2, budget - reserve)
    limits = Limits(params["max_migrations"] or None, params["max_bytes_moved"] or None)
    problem = build(model, live_only=bool(params["live_only"]))
    uncapped = release_bound(problem, seconds=max(1.0, (deadline - time.monotonic()) / 20))
    ratio = float(params["max_migrations_per_released_host"]) or greedy_ratio(context)
    if ratio is not None:
        limits = Limits(limits.migrations, limits.cost_bytes, ratio)
    bound = release_bound(problem, max(1.0, (deadline - time.monotonic()) / 10), limits)
    # A cluster solved whole keeps the ratio in its model (from a start within it); the rounds
    # of a larger one start from the best greedy plan, held to the ratio afterwards.
    size = int(params["neighbourhood_hosts"])
    whole = sum(not h.initially_empty for h in problem.hosts.values()) <= size
    placement = warm_start(problem, model, limits, ratio if whole else None)
    search.improve(problem, placement, limits, deadline, size=size)
    if ratio is not None:
        hold_ratio(placement, ratio)
    solution = Solution()
    _plan(problem, placement, model, solution)
    released = len(placement.released())
    solution.set_indicator("compute_nodes_count", len(available_nodes(model)))
    solution.set_indicator("released_compute_nodes_count", released)
    solution.set_indicator("instance_migrations_count", placement.migrations())
    solution.set_indicator("instance_migrations_bytes", placement.bytes_moved())
    solution.set_indicator("released_compute_nodes_bound", bound)
    solution.set_indicator("released_compute_nodes_bound_uncapped", uncapped)
    solution.set_indicator("released_compute_nodes_gap", gap_percent(released, bound))
    return solution


def greedy_ratio(context: StrategyContext) -> float | None:
    """The fewest migrations per released host of the greedy strategies' plans on this cluster
    (basic and vm_workload_consolidation with their defaults and the audit's metrics, if any);
    None when neither releases a host. Released hosts are the hosts a plan empties, counted
    as the solver counts its own."""
    ratios = []
    for strategy in GREEDY:
        schema = strategy.parameters_schema.get("properties", {})
        defaults = {name: spec["default"] for name, spec in schema.items() if "default" in spec}
        plan = strategy.execute(
            StrategyContext(
                parameters=defaults, model=context.model.copy(), metrics=context.metrics
            )
        )
        migrations = sum(1 for action in plan.actions if action.action_type == "migrate")
        ratio = plan_ratio(migrations, emptied_hosts(context.model, plan))
        if ratio is not None:
            ratios.append(ratio)
    return min(ratios, default=None)


def gap_percent(released: int, bound: int) -> float:
    return 0.0 if bound <= 0 else round(100.0 * (bound - released) / bound, 2)


def _plan(problem: Problem, placement: Placement, model: ClusterModel, solution) -> None:
    """Migrations (origin straight to destination), then disable the enabled hosts emptied."""
    for item, where in zip(problem.items, placement.where, strict=True):
        units = iter(item.units)
        for _ in range(where.get(item.origin, 0)):
            next(units)
        for host, count in sorted(where.items()):
            if host == item.origin:
                continue
            for _ in range(count):
                for uuid in next(units):
                    instance = model.instances[uuid]
                    add_migration(solution, instance, item.origin, host, item.kind)
    for hostname in placement.released():
        node = model.node(hostname)
        if node.status == "enabled":
            add_service_state(solution, node, "disabled", WATCHER_DISABLED)


SOLVER_CONSOLIDATION = StrategyDefinition(
    name="solver_consolidation",
    display_name="Solver consolidation (CP-SAT, proven gap)",
    goal="server_consolidation",
    execute=execute,
    parameters_schema=PARAMETERS,
    models=("compute",),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [SOLVER_CONSOLIDATION]
