"""noisy_neighbor — move the instance that starves a priority one of L3 cache (§4.11).

Goal ``noisy_neighbor``. On each host running more than one instance, instances are ranked by
their ``watcher-priority`` metadata (default 5, higher is more important). An instance's cache
use now is the mean of ``instance_l3_cache_usage`` over ``period``; before, as upstream, is
``2 × mean over 2 × period − now``. A *victim* is the most important instance whose cache use
fell by more than ``cache_threshold`` %; the *noisy* one is the least important other instance
whose cache use grew by more than that. Upstream stops at the first noisy instance found in
the cluster and sends it to the first host with room; here every host with a victim sheds its
noisy neighbour, live, to a host where no victim was found, least cache pressure first, that
can take it (``strategies.feasibility``) and that receives no other noisy instance in this
audit. Migrations name hosts by hostname (upstream uses node UUIDs here).
"""

from __future__ import annotations

from strategies.common import add_migration, available_nodes
from strategies.feasibility import may_move
from strategies.ranked import RankedHosts
from watcher_celery.model import ClusterModel, Instance
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

METRIC = "instance_l3_cache_usage"
DEFAULT_PRIORITY = 5
PARAMETERS = {
    "properties": {
        "cache_threshold": {
            "description": "Change of L3 cache use (%) that marks a victim or a noisy instance.",
            "type": "number",
            "minimum": 0,
            "default": 35.0,
        },
        "period": {
            "description": "Seconds of metrics averaged.",
            "type": "number",
            "minimum": 1,
            "default": 100.0,
        },
    },
}


def _priority(instance: Instance) -> float:
    try:
        return float(instance.metadata.get("watcher-priority", DEFAULT_PRIORITY))
    except (TypeError, ValueError):
        return float(DEFAULT_PRIORITY)


def _cache(context: StrategyContext, instance: Instance, period: int):
    """(now, before) cache use, or None when unmeasured."""
    now = context.metrics.instance_metric(instance, METRIC, period)
    longer = context.metrics.instance_metric(instance, METRIC, 2 * period)
    if now is None or longer is None:
        return None
    return now, 2.0 * longer - now


def _noisy(context, instances: list[Instance], period: int, limit: float):
    """(victim found?, the noisy neighbour to move or None) on one host."""
    cache = {i.uuid: _cache(context, i, period) for i in instances}
    measured = [i for i in instances if cache[i.uuid] is not None]
    ranked = sorted(measured, key=lambda i: (-_priority(i), i.uuid))
    victim = next((i for i in ranked if cache[i.uuid][0] < (1 - limit) * cache[i.uuid][1]), None)
    if victim is None:
        return False, None
    for instance in reversed(ranked):
        now, before = cache[instance.uuid]
        if (
            instance is not victim
            and now > (1 + limit) * before
            and may_move(context.model, instance)
        ):
            if instance.state == "active" and _priority(instance) <= _priority(victim):
                return True, instance
    return True, None


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    params = context.parameters
    period, limit = int(params["period"]), float(params["cache_threshold"]) / 100.0
    hosts = sorted(n.hostname for n in available_nodes(model))
    noisy, affected, pressure = {}, set(), {}
    for hostname in hosts:
        instances = model.instances_on(hostname)
        pressure[hostname] = sum((_cache(context, i, period) or (0.0, 0.0))[0] for i in instances)
        if len(instances) > 1:
            victim, found = _noisy(context, instances, period, limit)
            if victim:
                affected.add(hostname)
            if found is not None:
                noisy[hostname] = found
    calm = sorted((h for h in hosts if h not in affected), key=lambda h: (pressure[h], h))
    ranked = RankedHosts(model, calm)
    solution = Solution()
    for hostname, instance in sorted(noisy.items()):
        destination = ranked.place(instance)
        if destination is None:
            continue
        ranked.commit()
        ranked.remove(destination)
        add_migration(solution, instance, hostname, destination, "live")
        model.migrate_instance(instance.uuid, destination)
    return solution


NOISY_NEIGHBOR = StrategyDefinition(
    name="noisy_neighbor",
    display_name="Noisy Neighbor",
    goal="noisy_neighbor",
    execute=execute,
    parameters_schema=PARAMETERS,
    models=("compute",),
    metrics=(METRIC,),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [NOISY_NEIGHBOR]
