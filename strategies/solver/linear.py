"""A small integer linear model, solvable by OR-Tools CP-SAT or by HiGHS.

The consolidation models are written once against this neutral form, so the two solvers are
compared on exactly the same models (``bench/solver_choice.py``). The strategy uses CP-SAT
(``docs/strategies.md`` says why); HiGHS is imported only when asked for.

Every variable is an integer with bounds and an optional hint (a known feasible value: the
current placement). The objective is maximised. A result carries the solver's proven bound
on the objective, so callers can state a gap that is a bound, not an estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

Terms = list[tuple[int, int]]  # (variable index, coefficient)


@dataclass
class LinearModel:
    lower: list[int] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)
    hint: list[int | None] = field(default_factory=list)
    rows: list[tuple[Terms, float, float]] = field(default_factory=list)
    objective: Terms = field(default_factory=list)

    def var(self, lower: int, upper: int, hint: int | None = None) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.hint.append(hint)
        return len(self.lower) - 1

    def constrain(self, terms: Terms, lower: float = -math.inf, upper: float = math.inf) -> None:
        if terms:
            self.rows.append((terms, lower, upper))

    def maximize(self, terms: Terms) -> None:
        self.objective = terms


@dataclass
class Result:
    status: str  # optimal | feasible | infeasible | unknown
    values: list[int]
    objective: float
    bound: float  # proven upper bound on the objective

    @property
    def found(self) -> bool:
        return self.status in ("optimal", "feasible")


def solve_cpsat(model: LinearModel, seconds: float, workers: int = 1, seed: int = 0) -> Result:
    from ortools.sat.python import cp_model

    cp = cp_model.CpModel()
    variables = [
        cp.new_int_var(lo, hi, "") for lo, hi in zip(model.lower, model.upper, strict=True)
    ]
    for terms, lower, upper in model.rows:
        expr = cp_model.LinearExpr.weighted_sum(
            [variables[v] for v, _ in terms], [c for _, c in terms]
        )
        if lower == upper:
            cp.add(expr == int(lower))
        else:
            if upper < math.inf:
                cp.add(expr <= int(math.floor(upper)))
            if lower > -math.inf:
                cp.add(expr >= int(math.ceil(lower)))
    for var, value in zip(variables, model.hint, strict=True):
        if value is not None:
            cp.add_hint(var, value)
    cp.maximize(
        cp_model.LinearExpr.weighted_sum(
            [variables[v] for v, _ in model.objective], [c for _, c in model.objective]
        )
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    code = solver.solve(cp)
    status = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
    }.get(code, "unknown")
    if status in ("optimal", "feasible"):
        values = [solver.value(v) for v in variables]
        return Result(status, values, solver.objective_value, solver.best_objective_bound)
    return Result(status, [], -math.inf, math.inf)


def solve_highs(model: LinearModel, seconds: float) -> Result:
    import highspy
    import numpy as np

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(seconds, 0.01))
    h.setOptionValue("threads", 1)
    count = len(model.lower)
    inf = highspy.kHighsInf
    costs = np.zeros(count)
    for v, c in model.objective:
        costs[v] += c
    h.addVars(count, np.array(model.lower, float), np.array(model.upper, float))
    h.changeColsCost(count, np.arange(count, dtype=np.int32), costs)
    h.changeColsIntegrality(
        count,
        np.arange(count, dtype=np.int32),
        np.full(count, highspy.HighsVarType.kInteger),
    )
    for terms, lower, upper in model.rows:
        index = np.array([v for v, _ in terms], dtype=np.int32)
        value = np.array([c for _, c in terms], dtype=float)
        lo = -inf if lower == -math.inf else lower
        hi = inf if upper == math.inf else upper
        h.addRow(lo, hi, len(terms), index, value)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    if all(v is not None for v in model.hint):
        solution = highspy.HighsSolution()
        solution.col_value = [float(v) for v in model.hint]
        h.setSolution(solution)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if info.primal_solution_status == 2:  # a feasible solution exists
        values = [int(round(v)) for v in h.getSolution().col_value]
        optimal = status == highspy.HighsModelStatus.kOptimal
        return Result(
            "optimal" if optimal else "feasible",
            values,
            info.objective_function_value,
            info.mip_dual_bound,
        )
    if status == highspy.HighsModelStatus.kInfeasible:
        return Result("infeasible", [], -math.inf, math.inf)
    return Result("unknown", [], -math.inf, math.inf)
