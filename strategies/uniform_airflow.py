"""uniform_airflow — even out server airflow (goal ``airflow_optimization``, reference §4.8).

A host whose airflow (``host_airflow``, 0.1 CFM) is at or above ``threshold_airflow`` is a
source; the others are targets, lowest airflow first. As upstream, a source whose power
(``host_power``) and inlet temperature (``host_inlet_temp``) are both under their thresholds
can be emptied entirely (its instances, largest first, must *all* fit on the targets, else none
moves); otherwise only one instance leaves it. Upstream handles only the first source that has
instances and checks raw flavor sizes; here every source is handled (highest airflow first)
with the feasibility rule (``strategies.feasibility``: zone, vCPU, memory and disk after
ratios and reserved), and the one instance a hot, power-hungry source sheds is its largest.
"""

from __future__ import annotations

from strategies.common import add_migration, available_nodes
from strategies.feasibility import may_move
from strategies.ranked import RankedHosts
from watcher_celery.model import ClusterModel
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

AIRFLOW, INLET, POWER = "host_airflow", "host_inlet_temp", "host_power"
PERIOD_SCHEMA = {
    "description": "Seconds of metrics averaged.",
    "type": "number",
    "minimum": 0,
    "default": 300,
}
PARAMETERS = {
    "properties": {
        "threshold_airflow": {
            "description": "Airflow (0.1 CFM) at or above which a host sheds instances.",
            "type": "number",
            "default": 400.0,
        },
        "threshold_inlet_t": {
            "description": "Inlet temperature (°C) under which a source may be emptied.",
            "type": "number",
            "default": 28.0,
        },
        "threshold_power": {
            "description": "Power (W) under which a source may be emptied.",
            "type": "number",
            "default": 350.0,
        },
        "period": PERIOD_SCHEMA,
        "granularity": {
            "description": "Seconds between two metric samples.",
            "type": "number",
            "minimum": 1,
            "default": 300,
        },
    },
}


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    params = context.parameters
    period = int(params["period"])
    readings = {}
    for node in available_nodes(model):
        values = [context.metrics.host_metric(node, m, period) for m in (AIRFLOW, INLET, POWER)]
        if values[0] is not None:
            readings[node.hostname] = values
    limit = float(params["threshold_airflow"])
    sources = sorted(
        (h for h, v in readings.items() if v[0] >= limit), key=lambda h: -readings[h][0]
    )
    targets = sorted(
        (h for h, v in readings.items() if v[0] < limit), key=lambda h: (readings[h][0], h)
    )
    ranked = RankedHosts(model, targets)
    solution = Solution()
    for hostname in sources:
        _, inlet, power = readings[hostname]
        instances = [
            i for i in model.instances_on(hostname) if may_move(model, i) and i.state == "active"
        ]
        instances.sort(key=lambda i: (-i.vcpus, -i.memory, i.uuid))
        whole = (
            inlet is not None
            and power is not None
            and power < float(params["threshold_power"])
            and inlet < float(params["threshold_inlet_t"])
        )
        chosen = instances if whole else instances[:1]
        moves = []
        for instance in chosen:
            destination = ranked.place(instance)
            if destination is None:
                break
            moves.append((instance, destination))
        if not chosen or len(moves) < len(chosen):
            ranked.rollback()
            continue
        ranked.commit()
        for instance, destination in moves:
            add_migration(solution, instance, hostname, destination, "live")
            model.migrate_instance(instance.uuid, destination)
    return solution


UNIFORM_AIRFLOW = StrategyDefinition(
    name="uniform_airflow",
    display_name="Uniform airflow migration strategy",
    goal="airflow_optimization",
    execute=execute,
    parameters_schema=PARAMETERS,
    models=("compute",),
    metrics=(AIRFLOW, INLET, POWER),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [UNIFORM_AIRFLOW]
