"""outlet_temperature — cool the hottest hosts (goal ``thermal_optimization``, reference §4.9).

A host whose outlet temperature (``host_outlet_temp``, mean over ``period``) is at or above
``threshold`` sheds one instance, live, to the coolest host below the threshold that can take
it (``strategies.feasibility``). Upstream moves one instance in the whole cluster per audit,
the first active one it finds; here every hot host (hottest first) sheds the instance that
makes the most heat — the most CPU in use (vCPUs × ``instance_cpu_usage``, all its vCPUs when
unmeasured) — and a cool host takes at most one instance per audit, so relief does not make a
new hot spot. Hosts without a temperature are left alone. Migrations name hosts by hostname
like every other strategy (upstream uses node UUIDs here).
"""

from __future__ import annotations

from strategies.common import add_migration, available_nodes
from strategies.feasibility import may_move
from strategies.ranked import RankedHosts
from watcher_celery.model import ClusterModel, Instance
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

METRIC = "host_outlet_temp"
PARAMETERS = {
    "properties": {
        "threshold": {
            "description": "Outlet temperature (°C) at or above which a host sheds an instance.",
            "type": "number",
            "default": 35.0,
        },
        "period": {
            "description": "Seconds of metrics averaged.",
            "type": "number",
            "minimum": 0,
            "default": 30,
        },
        "granularity": {
            "description": "Seconds between two metric samples.",
            "type": "number",
            "minimum": 1,
            "default": 300,
        },
    },
}


def heat(context: StrategyContext, instance: Instance, period: int) -> float:
    """Cores in use: the instance's share of its host's heat."""
    cpu = None
    if context.metrics is not None:
        cpu = context.metrics.instance_metric(instance, "instance_cpu_usage", period)
    return instance.vcpus * (cpu / 100.0 if cpu is not None else 1.0)


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    params = context.parameters
    period, threshold = int(params["period"]), float(params["threshold"])
    outlet = {}
    for node in available_nodes(model):
        value = context.metrics.host_metric(node, METRIC, period) if context.metrics else None
        if value is not None:
            outlet[node.hostname] = value
    hot = sorted((h for h, t in outlet.items() if t >= threshold), key=lambda h: -outlet[h])
    cool = sorted((h for h, t in outlet.items() if t < threshold), key=lambda h: (outlet[h], h))
    ranked = RankedHosts(model, cool)
    solution = Solution()
    for hostname in hot:
        candidates = [
            i for i in model.instances_on(hostname) if may_move(model, i) and i.state == "active"
        ]
        candidates.sort(key=lambda i: (-heat(context, i, period), i.uuid))
        for instance in candidates:
            destination = ranked.place(instance)
            if destination is None:
                continue
            ranked.commit()
            ranked.remove(destination)  # one instance per cool host and audit
            add_migration(solution, instance, hostname, destination, "live")
            model.migrate_instance(instance.uuid, destination)
            break
    return solution


OUTLET_TEMPERATURE = StrategyDefinition(
    name="outlet_temperature",
    display_name="Outlet temperature based strategy",
    goal="thermal_optimization",
    execute=execute,
    parameters_schema=PARAMETERS,
    models=("compute",),
    metrics=(METRIC, "instance_cpu_usage"),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [OUTLET_TEMPERATURE]
