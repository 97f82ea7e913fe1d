"""Decision-engine benchmark: model build + strategy + plan persistence on the simulated cloud.

For basic, vm_workload_consolidation and workload_stabilization at 100, 1,000 and 10,000 hosts
(20 instances per host), each case runs in a fresh process and reports:

* seconds for the model build (cloud adapter → ClusterModel), the strategy (and, within it,
  the time spent in the datasource backend's queries), and planning + persisting the plan
  (action plan, actions with their DAG, efficacy rows) to SQLite;
* the CPU seconds of the same (``cpu_s``; ``m.cpu`` for the datasource): on a shared machine
  the wall-clock seconds grow with the load, the CPU seconds much less;
* the process's peak RSS (the whole case: interpreter, model, metrics, plan);
* for the consolidation strategies, hosts released against the most any packing could release:
  enabled hosts minus the fewest hosts whose capacity holds the total demand (per resource,
  largest hosts first; vm_workload_consolidation's demand is measured use on physical
  capacity *and* flavor allocations on over-committed capacity), and the same bound once the
  hosts pinned by an instance that cannot move (error state) are kept;
* for workload_stabilization, the weighted standard deviation before and after.

The model is built by the collector and metrics come from the simulated cloud's datasource, as
in an audit (``--metrics memory`` serves precomputed values at one instant instead, to time the
engine alone). Run: ``.venv/bin/python bench/decision_engine.py [--sizes ...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRATEGIES = ("basic", "vm_workload_consolidation", "workload_stabilization")
SIZES = (100, 1000, 10000)
PER_HOST = 20
TARGET_SECONDS, TARGET_GIB = 30.0, 2.0
# Metrics no longer the bottleneck: the 10,000-host audit on the simulated cloud (issue 14).
SIMULATED_TARGET_SECONDS = 10.0
# Upstream Watcher 17 on this machine, 1,000 hosts / 10,000 instances (DESIGN.md §4).
UPSTREAM_1000 = {"basic": 616.0, "vm_workload_consolidation": 71.0}


def _cloud_path(work: Path, hosts: int) -> Path:
    return work / f"cloud-{hosts}.sqlite"


def _generate(work: Path, hosts: int) -> None:
    from watcher_celery.cloud.simulated import SimulatedCloud

    SimulatedCloud.create(_cloud_path(work, hosts), 42, hosts, hosts * PER_HOST, 0.0).close()


def _metrics(cloud):
    """The cloud's metric values at its clock, in a memory datasource."""
    from watcher_celery.cloud.sim import metrics as sim
    from watcher_celery.cloud.sim import profiles
    from watcher_celery.datasources.memory import MemoryDatasource

    t = cloud.metrics_time()
    hosts, instances = cloud.metric_rows()
    datasource = MemoryDatasource()
    values = datasource.values
    uuid_of = {n.hostname: n.uuid for n in cloud.compute_nodes()}
    for hostname, load in profiles.host_loads(hosts, instances, t).items():
        for name, value in sim.host_values(load).items():
            values[(uuid_of[hostname], name)] = value
    for row in instances:
        for name, value in sim.instance_values(row, t).items():
            values[(row["uuid"], name)] = value
    return datasource


def _build_model(cloud):
    """The audit's own path: the collector, with an empty scope."""
    from watcher_celery.decision_engine.collector import collect

    return collect(cloud, [], ("compute",))


def _needed(capacities: list[float], demand: float) -> int:
    if demand <= 0:
        return 0
    total = 0.0
    for count, capacity in enumerate(sorted(capacities, reverse=True), 1):
        total += capacity
        if total >= demand - 1e-9:
            return count
    return len(capacities)


def _bound(model, strategy: str, datasource, pinned_aware: bool = False) -> int:
    """Most hosts any plan could release: enabled hosts minus the fewest that hold the load.

    Per resource, the load must fit into the largest hosts' capacity. ``pinned_aware``: hosts
    running an instance that cannot move (error state, excluded) are kept, and the rest of the
    load may also use their leftover room.
    """
    from strategies.common import movable

    def cores(node) -> float:
        return sum(
            i.vcpus * (datasource.values.get((i.uuid, "instance_cpu_usage")) or 100.0) / 100.0
            for i in model.iter_instances_on(node.hostname)
        )

    def dims(node) -> list[tuple[float, float]]:
        """(capacity, used) per resource the strategy packs."""
        used = model.used(node.hostname)
        out = [
            (node.vcpu_capacity, used.vcpus),
            (node.memory_capacity, used.memory),
            (node.disk_capacity, used.disk),
        ]
        if strategy == "vm_workload_consolidation":
            out.append((float(node.vcpus - node.vcpu_reserved), cores(node)))
        return out

    nodes = [n for n in model.nodes.values() if n.available]
    pinned = set()
    if pinned_aware:
        pinned = {
            n.hostname
            for n in nodes
            if not all(movable(i) for i in model.iter_instances_on(n.hostname))
        }
    free_nodes = [dims(n) for n in nodes if n.hostname not in pinned]
    held = [dims(n) for n in nodes if n.hostname in pinned]
    needed = 0
    for k in range(len(free_nodes[0]) if free_nodes else 0):
        room = sum(cap - used for cap, used in (d[k] for d in held))
        demand = sum(d[k][1] for d in free_nodes) - room
        needed = max(needed, _needed([d[k][0] for d in free_nodes], demand))
    return len(free_nodes) - needed


def _persist(strategy_def, solution, database: Path) -> int:
    from sqlalchemy import select

    from watcher_celery.db import Audit, Goal, Strategy, session_scope
    from watcher_celery.decision_engine import efficacy
    from watcher_celery.decision_engine.plan_store import save_plan
    from watcher_celery.plugins.registry import get_registry

    registry = get_registry()
    goal = registry.goal(strategy_def.goal)
    rows = efficacy.indicators(goal, solution.indicators)
    overall = efficacy.global_efficacy(goal, solution.indicators)
    planned = registry.planner(strategy_def.planner).plan(solution.actions)
    with session_scope() as session:
        goal_row = session.scalars(select(Goal).where(Goal.name == goal.name)).one()
        strategy_row = session.scalars(
            select(Strategy).where(Strategy.name == strategy_def.name)
        ).one()
        audit = Audit(
            name=f"bench-{time.monotonic_ns()}",
            audit_type="ONESHOT",
            state="ONGOING",
            goal_id=goal_row.id,
            strategy_id=strategy_row.id,
        )
        session.add(audit)
        session.flush()
        save_plan(session, audit, strategy_row, planned, rows, overall)
    return len(planned)


def _time_queries(datasource) -> list[float]:
    """Accumulate the seconds (wall, CPU) the strategy spends in the datasource's backend."""
    spent = [0.0, 0.0]
    depth = [0]  # query_many may call query: count the outer call only

    def timed(method):
        def call(*args, **kwargs):
            started, cpu = time.perf_counter(), time.process_time()
            depth[0] += 1
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1
                if not depth[0]:
                    spent[0] += time.perf_counter() - started
                    spent[1] += time.process_time() - cpu

        return call

    datasource.query = timed(datasource.query)
    datasource.query_many = timed(datasource.query_many)
    return spent


def run_case(work: Path, strategy: str, hosts: int, metrics: str) -> dict:
    """One case, in this (fresh) process."""
    database = work / f"db-{strategy}-{hosts}.sqlite"
    os.environ["WATCHER_DATABASE_URL"] = f"sqlite:///{database}"
    from watcher_celery.cloud.simulated import SimulatedCloud
    from watcher_celery.decision_engine.gc_pause import gc_paused
    from watcher_celery.decision_engine.sync import sync_plugins
    from watcher_celery.migrate import upgrade
    from watcher_celery.plugins import StrategyContext
    from watcher_celery.plugins.parameters import validate
    from watcher_celery.plugins.registry import get_registry

    upgrade()
    sync_plugins()
    definition = get_registry().strategy(strategy)
    cloud = SimulatedCloud(_cloud_path(work, hosts))
    if metrics == "simulated":
        from watcher_celery.datasources.simulated import SimulatedDatasource

        datasource = SimulatedDatasource(cloud)
    else:
        datasource = _metrics(cloud)
    instant = _metrics(cloud)  # for the bounds only
    spent = _time_queries(datasource)

    with gc_paused():  # as run_audit does
        started, cpu_started = time.perf_counter(), time.process_time()
        model = _build_model(cloud)
        datasource.bind(model)  # as build_context does: each metric read for all resources
        built, cpu_built = time.perf_counter(), time.process_time()
        bound = _bound(model, strategy, instant)
        reachable = _bound(model, strategy, instant, pinned_aware=True)
        params = validate(definition.parameters_schema, {})
        context = StrategyContext(parameters=params, model=model.copy(), metrics=datasource)
        bound_done, cpu_bound = time.perf_counter(), time.process_time()
        solution = definition.execute(context)
        solved = time.perf_counter()
        actions = _persist(definition, solution, database)
        stored, cpu_stored = time.perf_counter(), time.process_time()
    return {
        "strategy": strategy,
        "hosts": hosts,
        "instances": len(model.instances),
        "model_s": built - started,
        "strategy_s": solved - bound_done,
        "metrics_s": spent[0],
        "metrics_cpu_s": spent[1],
        "persist_s": stored - solved,
        "total_s": (built - started) + (stored - bound_done),
        "cpu_s": (cpu_built - cpu_started) + (cpu_stored - cpu_bound),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "actions": actions,
        "released": solution.indicators.get("released_compute_nodes_count"),
        "bound": bound,
        "reachable": reachable,
        "migrations": solution.indicators.get("instance_migrations_count"),
        "sd_before": solution.indicators.get("standard_deviation_before_audit"),
        "sd_after": solution.indicators.get("standard_deviation_after_audit"),
    }


def _row(r: dict) -> str:
    outcome = (
        f"released {r['released']:>5} / bound {r['bound']:>5} ({r['reachable']} w/ pinned)"
        if r["released"] is not None
        else f"sd {r['sd_before']:.3f} -> {r['sd_after']:.3f}"
    )
    return (
        f"{r['strategy']:<26} {r['hosts']:>6} {r['instances']:>7} "
        f"{r['model_s']:>7.2f} {r['strategy_s']:>8.2f} {r['metrics_s']:>9.2f} "
        f"{r['persist_s']:>8.2f} "
        f"{r['total_s']:>7.2f} {r['cpu_s']:>6.2f} {r['metrics_cpu_s']:>7.2f} "
        f"{r['peak_mib']:>8.0f} {r['migrations']:>7}  {outcome}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES))
    parser.add_argument(
        "--metrics",
        choices=("simulated", "memory"),
        default="simulated",
        help="simulated: the simulated cloud's datasource, as audits use it (period means); "
        "memory: the values at one instant, precomputed (the engine alone)",
    )
    parser.add_argument("--case", nargs=3, metavar=("WORK", "STRATEGY", "HOSTS"))
    args = parser.parse_args()
    if args.case:
        work, strategy, hosts = args.case
        print(json.dumps(run_case(Path(work), strategy, int(hosts), args.metrics)))
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(
            f"{'strategy':<26} {'hosts':>6} {'inst':>7} {'model_s':>7} {'strat_s':>8} "
            f"{'(metrics)':>9} "
            f"{'persist_s':>8} {'total_s':>7} {'cpu_s':>6} {'(m.cpu)':>7} {'peak_MiB':>8} "
            f"{'migr':>7}  outcome"
        )
        for hosts in args.sizes:
            _generate(work, hosts)
            for strategy in args.strategies:
                out = subprocess.run(
                    [sys.executable, __file__, "--metrics", args.metrics]
                    + ["--case", str(work), strategy, str(hosts)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                    env={**os.environ, "PYTHONPATH": str(ROOT)},
                ).stdout
                result = json.loads(out.strip().splitlines()[-1])
                results.append(result)
                print(_row(result), flush=True)
    _ratios(results)
    return 0


def _ratios(results: list[dict]) -> None:
    by = {(r["strategy"], r["hosts"]): r for r in results}
    print()
    for strategy in STRATEGIES:
        small, big = by.get((strategy, 1000)), by.get((strategy, 10000))
        if small and big:
            print(
                f"{strategy}: 10x the hosts costs {big['total_s'] / small['total_s']:.1f}x the "
                f"time (quadratic would be 100x)"
            )
        if big:
            ok = big["total_s"] < TARGET_SECONDS and big["peak_mib"] < TARGET_GIB * 1024
            print(
                f"{strategy} at 10,000 hosts: {big['total_s']:.1f} s (target {TARGET_SECONDS:.0f};"
                f" CPU {big['cpu_s']:.1f} s, metrics {big['metrics_s']:.1f} s / CPU "
                f"{big['metrics_cpu_s']:.1f} s), {big['peak_mib'] / 1024:.2f} GiB "
                f"(target {TARGET_GIB}) -> "
                f"{'met' if ok else 'NOT met'}; under {SIMULATED_TARGET_SECONDS:.0f} s: "
                f"{'met' if big['total_s'] < SIMULATED_TARGET_SECONDS else 'NOT met'} (CPU "
                f"{'under' if big['cpu_s'] < SIMULATED_TARGET_SECONDS else 'over'})"
            )
        if small and strategy in UPSTREAM_1000:
            speedup = UPSTREAM_1000[strategy] / max(small["strategy_s"], 1e-9)
            print(
                f"{strategy} at 1,000 hosts: {small['strategy_s']:.2f} s here vs upstream "
                f"{UPSTREAM_1000[strategy]:.0f} s for the strategy on 10,000 instances "
                f"(here {small['instances']:,}): {speedup:,.0f}x"
            )
        for size in SIZES:
            r = by.get((strategy, size))
            if r and r["released"] is not None and r["bound"]:
                print(
                    f"{strategy} at {size:,} hosts: released {r['released']} of at most "
                    f"{r['bound']} ({100 * r['released'] / r['bound']:.0f} % of the bound; "
                    f"{100 * r['released'] / max(r['reachable'], 1):.0f} % of the "
                    f"{r['reachable']} left once hosts pinned by unmovable instances are kept)"
                )


if __name__ == "__main__":
    sys.exit(main())
