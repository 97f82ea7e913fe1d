"""Consolidation against a proven bound: basic, vm_workload_consolidation and the solver.

On the same seeded clusters as ``bench/decision_engine.py`` (seed 42, 20 instances a host) at
1,000 and 10,000 hosts, each strategy runs in a fresh process on the collector's model
(metrics precomputed at one instant, as ``--metrics memory`` there) and its plan is replayed
on a copy of the model. For each it prints:

* released: hosts that held instances and hold none after the plan; *legal*: those of them
  emptied without moving an instance the solver's rules keep in place (locked, busy, error,
  excluded) — the greedy strategies move locked instances, the solver never does;
* the proven bound (``strategies.solver.bound``: the relaxation solved by CP-SAT, with locked
  instances unmovable) and the gap of the legal released hosts to it; the volume bound of
  ``bench/decision_engine.py`` (error-state instances kept, locked ones movable) for reference;
* *in cap*: for the solver, the proven bound of plans within its cap on migrations per
  released host (its ``released_compute_nodes_bound``);
* migrations, migrations per released host, bytes the migrations copy (memory for live, disk
  for cold) and the strategy's seconds;
* *findings*: what the plan validator of the tests (``harness/plan_validator.py``:
  capacity, zones, hosts that may receive, server groups) finds wrong with the plan; 0 expected.

The seeded clusters carry the simulated cloud's server groups (one per 100 instances).

The solver's ``time_budget`` is 60 s at 1,000 hosts and 270 s at 10,000 (``--budget`` to
change), its cap on migrations per released host the greedy plans' (``--cap`` to set one).
Run: ``.venv/bin/python bench/consolidation_gap.py [--sizes 1000 10000] [--work DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STRATEGIES = ("basic", "vm_workload_consolidation", "solver_consolidation")
BUDGET = {1000: 60, 10000: 270}
TARGET_SECONDS = {1000: 60, 10000: 300}
TARGET_SHARE = 0.95


def run_case(work: Path, strategy: str, hosts: int, budget: float, cap: float = 0) -> dict:
    from bench.decision_engine import _bound, _build_model, _cloud_path, _metrics
    from harness.plan_validator import problems
    from strategies.solver.bound import release_bound
    from strategies.solver.problem import build
    from watcher_celery.cloud.simulated import SimulatedCloud
    from watcher_celery.plugins import StrategyContext
    from watcher_celery.plugins.parameters import validate
    from watcher_celery.plugins.registry import get_registry

    definition = get_registry().strategy(strategy)
    cloud = SimulatedCloud(_cloud_path(work, hosts))
    datasource = _metrics(cloud)
    model = _build_model(cloud)
    problem = build(model)
    proven = release_bound(problem)
    volume = _bound(model, "basic", datasource, pinned_aware=True)
    given = {}
    if strategy == "solver_consolidation":
        given = {"time_budget": budget, "max_migrations_per_released_host": cap}
    params = validate(definition.parameters_schema, given)
    context = StrategyContext(parameters=params, model=model.copy(), metrics=datasource)
    started = time.perf_counter()
    solution = definition.execute(context)
    seconds = time.perf_counter() - started
    return {
        "strategy": strategy,
        "hosts": hosts,
        "seconds": seconds,
        "proven": proven,
        "volume": volume,
        "findings": len(problems(model, solution)),
        "groups": len(model.server_groups),
        **_replay(model, solution, set(problem.unmovable)),
    }


def _replay(model, solution, unmovable: set[str]) -> dict:
    """Released hosts, the legal ones among them, migrations and bytes, from the actions."""
    after = model.copy()
    moved_from: dict[str, set[str]] = {}
    copied = 0
    count = 0
    for action in solution.actions:
        if action.action_type != "migrate":
            continue
        params = action.input_parameters
        instance = after.instances[params["resource_id"]]
        moved_from.setdefault(params["source_node"], set()).add(instance.uuid)
        live = params["migration_type"] == "live"
        copied += instance.memory * 2**20 if live else instance.disk * 2**30
        count += 1
        after.migrate_instance(instance.uuid, params["destination_node"])
    released = [
        h
        for h in model.nodes
        if model.used(h).count and not after.used(h).count and model.nodes[h].state == "up"
    ]
    legal = [h for h in released if not (moved_from.get(h, set()) & unmovable)]
    return {
        "released": len(released),
        "legal": len(legal),
        "migrations": count,
        "bytes": copied,
        "reported": solution.indicators.get("released_compute_nodes_count"),
        "reported_bound": solution.indicators.get("released_compute_nodes_bound"),
    }


def _row(r: dict) -> str:
    gap = 100.0 * (r["proven"] - r["legal"]) / r["proven"] if r["proven"] else 0.0
    per_host = r["migrations"] / max(1, r["released"])
    capped = r["reported_bound"] if r["reported_bound"] is not None else "-"
    return (
        f"{r['strategy']:<26} {r['hosts']:>6} {r['released']:>8} {r['legal']:>6} "
        f"{r['proven']:>6} {gap:>6.1f} {capped:>7} {r['volume']:>7} {r['migrations']:>7} "
        f"{per_host:>8.1f} "
        f"{r['bytes'] / 2**40:>8.1f} {r['seconds']:>8.1f} {r['findings']:>8}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--budget", type=float, help="the solver's time_budget (s)")
    parser.add_argument(
        "--cap", type=float, default=0.0,
        help="the solver's max_migrations_per_released_host (0: the greedy plans')",
    )  # fmt: skip
    parser.add_argument("--work", type=Path, help="keep the generated clouds here (reused)")
    parser.add_argument("--case", nargs=4, metavar=("WORK", "STRATEGY", "HOSTS", "BUDGET"))
    args = parser.parse_args()
    if args.case:
        work, strategy, hosts, budget = args.case
        print(json.dumps(run_case(Path(work), strategy, int(hosts), float(budget), args.cap)))
        return 0
    from bench.decision_engine import _cloud_path, _generate

    results = []
    print(
        f"{'strategy':<26} {'hosts':>6} {'released':>8} {'legal':>6} {'bound':>6} {'gap%':>6} "
        f"{'in cap':>7} {'volume':>7} {'migr':>7} {'migr/host':>8} {'TiB':>8} {'seconds':>8} "
        f"{'findings':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        for hosts in args.sizes:
            if not _cloud_path(work, hosts).exists():
                _generate(work, hosts)
            budget = args.budget or BUDGET.get(hosts, 60)
            for strategy in STRATEGIES:
                out = subprocess.run(
                    [sys.executable, __file__, "--case", str(work), strategy, str(hosts)]
                    + [str(budget), "--cap", str(args.cap)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                    env={**os.environ, "PYTHONPATH": str(ROOT)},
                ).stdout
                result = json.loads(out.strip().splitlines()[-1])
                results.append(result)
                print(_row(result), flush=True)
    _verdicts(results)
    return 0


def _verdicts(results: list[dict]) -> None:
    by = {(r["strategy"], r["hosts"]): r for r in results}
    print()
    for hosts in sorted({r["hosts"] for r in results}):
        solver = by.get(("solver_consolidation", hosts))
        if solver is None:
            continue
        share = solver["legal"] / solver["proven"] if solver["proven"] else 1.0
        volume_share = solver["legal"] / solver["volume"] if solver["volume"] else 1.0
        limit = TARGET_SECONDS.get(hosts)
        per_host = solver["migrations"] / max(1, solver["released"])
        greedy = [
            by[(s, hosts)]["migrations"] / max(1, by[(s, hosts)]["released"])
            for s in STRATEGIES[:2]
            if (s, hosts) in by
        ]
        print(
            f"{hosts:,} hosts: solver released {solver['legal']} of a proven bound of "
            f"{solver['proven']} ({100 * share:.1f} %, gap {100 * (1 - share):.1f} %; "
            f"{100 * volume_share:.1f} % of the volume bound {solver['volume']}) in "
            f"{solver['seconds']:.0f} s"
            + (
                f" (target {limit} s: {'met' if solver['seconds'] <= limit else 'NOT met'})"
                if limit
                else ""
            )
        )
        if greedy:
            print(
                f"  migrations per released host: solver {per_host:.1f}, greedy "
                + ", ".join(f"{g:.1f}" for g in greedy)
                + (" -> not more" if per_host <= min(greedy) else " -> MORE than a greedy one")
            )
        capped = solver["reported_bound"]
        if capped:
            print(
                f"  within the cap on migrations per released host: {solver['legal']} of a "
                f"proven bound of {capped} ({100 * solver['legal'] / capped:.1f} %)"
            )
        if hosts == 1000:
            met = share >= TARGET_SHARE
            print(f"  >= 95 % of the proven bound: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
