"""Which solver for solver_consolidation: CP-SAT and HiGHS on the very same models.

On the 1,000-host seeded cluster of ``bench/decision_engine.py`` the search starts from basic's
legal plan (``strategies.solver.warm_start.legal_greedy``) and builds its first round of
neighbourhoods (``strategies.solver.search``); each model (``strategies.solver.linear``) is
given to OR-Tools CP-SAT (one worker, as the strategy runs it) and to HiGHS (one thread), with
the same time limit and the current placement as a hint. Printed per solver: hosts released
more than the hint (each model's result applied alone to the start), models solved to
proven optimality, models where nothing better than the hint was found, seconds.
Run: ``.venv/bin/python bench/solver_choice.py [--models 20] [--seconds 2]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--models", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--size", type=int, default=20, help="hosts per neighbourhood")
    args = parser.parse_args()

    from bench.decision_engine import _build_model, _cloud_path, _generate
    from strategies.solver import neighbourhood, search
    from strategies.solver.linear import solve_cpsat, solve_highs
    from strategies.solver.problem import build
    from strategies.solver.warm_start import legal_greedy
    from watcher_celery.cloud.simulated import SimulatedCloud

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _generate(work, args.hosts)
        model = _build_model(SimulatedCloud(_cloud_path(work, args.hosts)))
    problem = build(model)
    limits = neighbourhood.Limits()
    placement = legal_greedy(problem, model, limits)
    on_host, loads = placement.on_host(), placement.loads()
    hoods = []
    for hosts in search.deal(problem, placement, args.size, None)[: args.models]:
        sources = search.pick_sources(problem, loads, hosts, None)
        hood = neighbourhood.build(
            problem, placement, on_host, loads, hosts, sources, limits, (0, 0)
        )
        hoods.append(hood)
    variables = sum(len(h.model.lower) for h in hoods) / max(1, len(hoods))
    print(
        f"{len(hoods)} neighbourhoods of {args.size} hosts (about {variables:.0f} variables "
        f"each), {args.seconds} s each, from basic's legal plan ({len(placement.released())} "
        f"hosts released)"
    )
    print(f"{'solver':<8} {'hosts gained':>12} {'optimal':>8} {'no gain':>8} {'seconds':>8}")
    solvers = {
        "CP-SAT": lambda m: solve_cpsat(m, args.seconds),
        "HiGHS": lambda m: solve_highs(m, args.seconds),
    }
    for name, solve in solvers.items():
        gained = optimal = none = 0
        started = time.perf_counter()
        for hood in hoods:
            result = solve(hood.model)
            current = hood.current_value()
            if result.found and result.objective > current + 0.5:
                after = placement.copy()
                hood.apply(after, result)
                gained += len(after.released()) - len(placement.released())
            optimal += result.status == "optimal"
            none += not result.found or result.objective <= current + 0.5
        seconds = time.perf_counter() - started
        print(f"{name:<8} {gained:>12} {optimal:>8} {none:>8} {seconds:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
