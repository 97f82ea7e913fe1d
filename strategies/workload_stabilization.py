"""workload_stabilization — even out host load (goal ``workload_balancing``, reference §4.6).

The objective is upstream's: the weighted sum, over the chosen metrics, of the standard
deviation of host load fractions (CPU: cores used / vCPUs; RAM: MB used / MB). Upstream
simulates every instance on every candidate host at each step (instances × hosts). Here the
sums Σf and Σf² are kept per metric, so the effect of one move on every deviation is computed
in O(metrics); the most loaded host comes from a max-heap (stale entries skipped), so a step
costs O(log hosts + instances on the host × candidates).

Each step moves, from the most loaded host (on the metric furthest above its threshold), the
instance that lowers the objective most onto one of its candidate hosts that can take it
(``strategies.feasibility``: up, enabled, zone, vCPU, memory and disk); it stops when every
deviation is under its threshold or no move helps. An instance moves at most once per audit.
The candidates are upstream's ``host_choice`` (``strategies.host_choice``): ``cycle`` the next
host in turn, ``retry`` ``retry_count`` hosts drawn at random (seeded by the audit, so a rerun
of one audit gives one plan), ``fullsearch`` every host. With ``cycle`` and ``retry`` a busy
host whose candidates gave no improving move is tried again with fresh candidates, up to
``SOURCE_TRIES`` times.
"""

from __future__ import annotations

import heapq
import math

from strategies.common import (
    AGGREGATION_METHOD_SCHEMA,
    LIVE_STATES,
    add_migration,
    available_nodes,
)
from strategies.feasibility import can_move, may_move
from strategies.host_choice import HostChoice, LeastLoaded
from watcher_celery.model import ClusterModel, Instance
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

CPU, RAM = "instance_cpu_usage", "instance_ram_usage"
# With cycle and retry a miss may be bad luck: a host is given up after this many fresh draws.
SOURCE_TRIES = 3
PARAMETERS = {
    "properties": {
        "metrics": {
            "description": "Metrics used to measure the balance.",
            "type": "array",
            "items": {"type": "string", "enum": [CPU, RAM]},
            "minItems": 1,
            "default": [CPU],
        },
        "thresholds": {
            "description": "Standard deviation (0..1) under which a metric is balanced.",
            "type": "object",
            "properties": {
                CPU: {"type": "number", "minimum": 0, "maximum": 1},
                RAM: {"type": "number", "minimum": 0, "maximum": 1},
            },
            "default": {CPU: 0.1, RAM: 0.1},
        },
        "weights": {
            "description": "Weight of each metric's deviation in the objective.",
            "type": "object",
            "properties": {
                CPU + "_weight": {"type": "number", "minimum": 0},
                RAM + "_weight": {"type": "number", "minimum": 0},
            },
            "default": {CPU + "_weight": 1.0, RAM + "_weight": 1.0},
        },
        "instance_metrics": {
            "description": "Host metric matching each instance metric.",
            "type": "object",
            "default": {CPU: "host_cpu_usage", RAM: "host_ram_usage"},
        },
        "host_choice": {
            "description": "Hosts a move may target: the next in turn (cycle), retry_count "
            "drawn at random (retry) or all (fullsearch).",
            "type": "string",
            "enum": ["cycle", "retry", "fullsearch"],
            "default": "retry",
        },
        "retry_count": {
            "description": "Hosts tried per move with host_choice 'retry'.",
            "type": "integer",
            "minimum": 1,
            "default": 1,
        },
        "periods": {
            "description": "Seconds of metrics averaged, per resource type.",
            "type": "object",
            "properties": {
                "instance": {"type": "integer", "minimum": 0},
                "compute_node": {"type": "integer", "minimum": 0},
                "node": {"type": "integer", "minimum": 0},
            },
            "default": {"instance": 720, "compute_node": 600, "node": 0},
        },
        "aggregation_method": AGGREGATION_METHOD_SCHEMA,
        "granularity": {
            "description": "Seconds between two metric samples.",
            "type": "number",
            "minimum": 1,
            "default": 300,
        },
    },
}


class Balance:
    """Per-metric host load fractions with running Σf and Σf², and the weighted objective."""

    def __init__(self, metrics: list[str], weights: list[float], hosts: list[str]) -> None:
        self.metrics, self.weights, self.n = metrics, weights, len(hosts)
        self.load: list[dict[str, float]] = [{} for _ in metrics]
        self.capacity: list[dict[str, float]] = [{} for _ in metrics]
        self.s1 = [0.0] * len(metrics)
        self.s2 = [0.0] * len(metrics)

    def set_host(self, k: int, host: str, fraction: float, capacity: float) -> None:
        self.load[k][host] = fraction
        self.capacity[k][host] = capacity
        self.s1[k] += fraction
        self.s2[k] += fraction * fraction

    def _sd(self, s1: float, s2: float) -> float:
        mean = s1 / self.n
        return math.sqrt(max(s2 / self.n - mean * mean, 0.0))

    def sd(self, k: int) -> float:
        return self._sd(self.s1[k], self.s2[k])

    def objective(self) -> float:
        return sum(w * self.sd(k) for k, w in enumerate(self.weights))

    def _after(self, k: int, a: str, b: str, amount: float) -> tuple[float, float, float, float]:
        fa, fb = self.load[k][a], self.load[k][b]
        na = fa - amount / self.capacity[k][a]
        nb = fb + amount / self.capacity[k][b]
        s1 = self.s1[k] - fa - fb + na + nb
        s2 = self.s2[k] - fa * fa - fb * fb + na * na + nb * nb
        return na, nb, s1, s2

    def delta(self, a: str, b: str, amounts: list[float]) -> float:
        """Change of the objective if ``amounts`` (per metric) move from host a to host b."""
        change = 0.0
        for k, weight in enumerate(self.weights):
            _, _, s1, s2 = self._after(k, a, b, amounts[k])
            change += weight * (self._sd(s1, s2) - self.sd(k))
        return change

    def move(self, a: str, b: str, amounts: list[float]) -> None:
        for k in range(len(self.metrics)):
            na, nb, s1, s2 = self._after(k, a, b, amounts[k])
            self.load[k][a], self.load[k][b], self.s1[k], self.s2[k] = na, nb, s1, s2


def _instance_amounts(context: StrategyContext, instance: Instance, metrics: list[str]):
    """Per metric: cores or MB the instance uses; None if a metric is missing."""
    period = int(context.parameters["periods"]["instance"])
    aggregate = context.parameters["aggregation_method"]["instance"] or "mean"
    amounts = []
    for metric in metrics:
        value = context.metrics.instance_metric(instance, metric, period, aggregate)
        if value is None:
            return None
        amounts.append(instance.vcpus * value / 100.0 if metric == CPU else float(value))
    return amounts


def _build(context: StrategyContext, model: ClusterModel, metrics: list[str]):
    params = context.parameters
    hosts = available_nodes(model)
    balance = Balance(
        metrics,
        [float(params["weights"].get(m + "_weight", 1.0)) for m in metrics],
        [n.hostname for n in hosts],
    )
    amounts: dict[str, list[float]] = {}
    period = int(params["periods"]["compute_node"])
    aggregate = params["aggregation_method"]["compute_node"] or "mean"
    for node in hosts:
        summed = [0.0] * len(metrics)
        for instance in model.iter_instances_on(node.hostname):
            values = _instance_amounts(context, instance, metrics)
            if values is None:
                continue
            if may_move(model, instance) and instance.state in LIVE_STATES:
                amounts[instance.uuid] = values
            summed = [s + v for s, v in zip(summed, values, strict=True)]
        for k, metric in enumerate(metrics):
            capacity = float(node.vcpus if metric == CPU else node.memory) or 1.0
            host_metric = params["instance_metrics"].get(metric)
            measured = (
                context.metrics.host_metric(node, host_metric, period, aggregate)
                if host_metric
                else None
            )
            if measured is None:
                fraction = summed[k] / capacity
            elif metric == CPU:
                fraction = measured / 100.0
            else:
                fraction = measured / 1024.0 / capacity
            balance.set_host(k, node.hostname, fraction, capacity)
    return balance, amounts


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    params = context.parameters
    metrics = list(dict.fromkeys(params["metrics"]))
    thresholds = [float(params["thresholds"].get(m, 0.1)) for m in metrics]
    balance, amounts = _build(context, model, metrics)
    solution = Solution()
    before = balance.objective() if balance.n else 0.0
    least = None
    if len(metrics) == 1 and params["host_choice"] == "fullsearch":
        least = LeastLoaded(balance.load[0], balance.capacity[0])
    choice = HostChoice(
        params["host_choice"],
        list(balance.load[0]) if metrics else [],
        int(params["retry_count"]),
        seed=context.audit_uuid,
        least=least,
    )
    highs = [[(-f, h) for h, f in balance.load[k].items()] for k in range(len(metrics))]
    for heap in highs:
        heapq.heapify(heap)
    exhausted: set[str] = set()
    misses: dict[str, int] = {}
    moved: set[str] = set()
    while balance.n > 1:
        ratios = [balance.sd(k) / t if t else math.inf for k, t in enumerate(thresholds)]
        k = max(range(len(metrics)), key=ratios.__getitem__)
        if balance.sd(k) <= thresholds[k]:
            break
        loads = balance.load[k]
        source = None
        while highs[k]:
            value, host = heapq.heappop(highs[k])
            if loads[host] == -value and host not in exhausted:
                source = host
                break
        if source is None:
            break
        best = None
        # fullsearch's candidates do not depend on the instance: ask once per step
        shared = None if choice.per_instance else choice.candidates(source)
        for instance in model.instances_on(source):
            if instance.uuid in moved or instance.uuid not in amounts:
                continue
            for destination in shared or choice.candidates(source):
                change = balance.delta(source, destination, amounts[instance.uuid])
                if change < -1e-12 and (best is None or change < best[0]):
                    if can_move(model, instance, destination):
                        best = (change, instance, destination)
        if best is None:
            misses[source] = misses.get(source, 0) + 1
            if params["host_choice"] == "fullsearch" or misses[source] >= SOURCE_TRIES:
                exhausted.add(source)
            else:
                heapq.heappush(highs[k], (-loads[source], source))
            continue
        _, instance, destination = best
        balance.move(source, destination, amounts[instance.uuid])
        add_migration(solution, instance, source, destination, "live")
        model.migrate_instance(instance.uuid, destination)
        moved.add(instance.uuid)
        for j in range(len(metrics)):
            for host in (source, destination):
                heapq.heappush(highs[j], (-balance.load[j][host], host))
        if least is not None:
            least.moved(source)
            least.moved(destination)
    solution.set_indicator("instance_migrations_count", len(moved))
    solution.set_indicator("instances_count", len(amounts))
    solution.set_indicator("standard_deviation_before_audit", round(before, 6))
    solution.set_indicator(
        "standard_deviation_after_audit", round(balance.objective() if balance.n else 0.0, 6)
    )
    return solution


WORKLOAD_STABILIZATION = StrategyDefinition(
    name="workload_stabilization",
    display_name="Workload stabilization",
    goal="workload_balancing",
    execute=execute,
    parameters_schema=PARAMETERS,
    planner="workload_stabilization",
    models=("compute",),
    metrics=("host_cpu_usage", "host_ram_usage", "instance_cpu_usage", "instance_ram_usage"),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [WORKLOAD_STABILIZATION]
