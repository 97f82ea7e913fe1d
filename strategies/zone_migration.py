"""zone_migration — move instances and volumes off named hosts and pools (§4.13).

Goal ``hardware_maintenance``; reads the compute and storage models, no metrics. Targets are
the instances on each ``compute_nodes[].src_node`` and the volumes on each
``storage_pools[].src_pool`` (of ``src_type`` when given), ordered by ``priority`` as upstream
(listed projects, hosts and pools first; then by size, largest first, or by age, oldest
first). Volumes go first: a retype when ``dst_type`` differs from the volume's type, else a
migration to ``dst_pool``; with ``with_attached_volume`` the target instances attached to a
volume follow it at once. Then instances: live when active or paused, cold when stopped, to
``dst_node`` when given. ``parallel_total``, ``parallel_per_node`` and ``parallel_per_pool``
cap the actions of one plan, as upstream (a continuous audit does the rest in later runs).

Unlike upstream, nothing infeasible is planned (``strategies.feasibility``): an instance goes to
its ``dst_node`` only if that host can take it (zone, vCPU, memory, disk, counting the moves
before it), a volume to its ``dst_pool`` only if the pool has the free capacity and serves the
volume's type; an instance sent without destination only if the hosts outside the source hosts
can still hold every such instance (a placement is kept as the proof). What cannot be planned
is left out and shows in the efficacy indicators (planned below found).
"""

from __future__ import annotations

from strategies.common import add_migration
from strategies.feasibility import can_move, held_by_group
from strategies.ranked import RankedHosts
from watcher_celery.model import ClusterModel, Instance, Volume
from watcher_celery.plugins import Solution, StrategyContext, StrategyDefinition, hookimpl

NAMES = {"type": "array", "items": {"type": "string"}}
PARAMETERS = {
    "properties": {
        "compute_nodes": {
            "description": "Hosts to empty, each with an optional destination host.",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"src_node": {"type": "string"}, "dst_node": {"type": "string"}},
                "required": ["src_node"],
                "additionalProperties": False,
            },
        },
        "storage_pools": {
            "description": "Pools to empty, each to a pool (dst_pool) or a type (dst_type).",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "src_pool": {"type": "string"},
                    "dst_pool": {"type": "string"},
                    "src_type": {"type": "string"},
                    "dst_type": {"type": "string"},
                },
                "required": ["src_pool"],
                "additionalProperties": False,
                "oneOf": [
                    {"required": ["dst_pool"], "not": {"required": ["dst_type"]}},
                    {"required": ["dst_type"], "not": {"required": ["dst_pool"]}},
                ],
            },
        },
        "parallel_total": {
            "description": "Actions in one plan, at most.",
            "type": "integer",
            "minimum": 0,
            "default": 6,
        },
        "parallel_per_node": {
            "description": "Instance migrations off one host in one plan, at most.",
            "type": "integer",
            "minimum": 0,
            "default": 2,
        },
        "parallel_per_pool": {
            "description": "Volume migrations off one pool in one plan, at most.",
            "type": "integer",
            "minimum": 0,
            "default": 2,
        },
        "priority": {
            "description": "Order of the targets.",
            "type": "object",
            "properties": {
                "project": NAMES,
                "compute_node": NAMES,
                "storage_pool": NAMES,
                "compute": {
                    "type": "string",
                    "enum": ["vcpu_num", "mem_size", "disk_size", "created_at"],
                },
                "storage": {"type": "string", "enum": ["size", "created_at"]},
            },
            "additionalProperties": False,
        },
        "with_attached_volume": {
            "description": "Migrate the target instances attached to a volume right after it.",
            "type": "boolean",
            "default": False,
        },
    },
    "additionalProperties": False,
}
COMPUTE_KEYS = {
    "vcpu_num": lambda i: -i.vcpus,
    "mem_size": lambda i: -i.memory,
    "disk_size": lambda i: -i.disk,
    "created_at": lambda i: i.created or "",
}
STORAGE_KEYS = {"size": lambda v: -v.size, "created_at": lambda v: v.created_at or ""}


def _listed(names: list[str], value) -> int:
    return names.index(value) if value in names else len(names)


def _ordered_instances(model: ClusterModel, sources: list[str], priority) -> list[Instance]:
    found = [i for h in sources if h in model.nodes for i in model.instances_on(h)]
    projects, hosts = priority.get("project", []), priority.get("compute_node", [])
    spec = COMPUTE_KEYS.get(priority.get("compute", ""), lambda i: 0)
    return sorted(
        found,
        key=lambda i: (_listed(projects, i.project_id), _listed(hosts, i.host), spec(i), i.uuid),
    )


def _ordered_volumes(model: ClusterModel, pools: list[dict], priority) -> list[tuple]:
    found = []
    for entry in pools:
        for volume in model.volumes_in(entry["src_pool"]):
            if entry.get("src_type") and volume.volume_type != entry["src_type"]:
                continue
            found.append((volume, entry))
    projects, names = priority.get("project", []), priority.get("storage_pool", [])
    spec = STORAGE_KEYS.get(priority.get("storage", ""), lambda v: 0)
    return sorted(
        found,
        key=lambda p: (
            _listed(projects, p[0].project_id),
            _listed(names, p[0].pool),
            spec(p[0]),
            p[0].uuid,
        ),
    )


class _Plan:
    """The actions so far, within the caps, with the capacity the plan has used up."""

    def __init__(self, context: StrategyContext) -> None:
        self.model: ClusterModel = context.model
        self.params = context.parameters
        self.solution = Solution()
        self.count = 0
        self.per_node: dict[str, int] = {}
        self.per_pool: dict[str, int] = {}
        self.moved: set[str] = set()
        self.planned = {"live": 0, "cold": 0, "volume": 0, "attached": 0}
        sources = {e["src_node"] for e in self.params.get("compute_nodes", [])}
        self.dst = {e["src_node"]: e.get("dst_node") for e in self.params.get("compute_nodes", [])}
        # Where the scheduler could put an undirected instance: hosts not being emptied,
        # tightest vCPUs first (best fit), searched in O(log n) (strategies.ranked).
        elsewhere = [h for h in self.model.nodes if h not in sources]
        self.scheduler = RankedHosts(
            self.model, sorted(elsewhere, key=lambda h: (self.model.free(h)[0], h))
        )
        self.pool_free = {n: p.free_capacity_gb for n, p in self.model.pools.items()}

    def room(self) -> bool:
        return self.count < int(self.params["parallel_total"])

    def instance(self, instance: Instance) -> None:
        kind = (
            "live" if instance.state in ("active", "paused")
            else "cold" if instance.state == "stopped" else None
        )  # fmt: skip
        source = instance.host
        if kind is None or instance.watcher_exclude or instance.uuid in self.moved:
            return
        if held_by_group(self.model, instance):
            return  # an affinity group stays together
        if self.model.nodes[source].state != "up":
            return  # off a down host only an evacuation moves it
        if not self.room() or self.per_node.get(source, 0) >= int(self.params["parallel_per_node"]):
            return
        wanted = self.dst.get(source)
        if wanted is not None:
            if not can_move(self.model, instance, wanted):
                return
            landing, destination = wanted, wanted
            self.scheduler.take(wanted, instance)
        else:
            landing, destination = self.scheduler.place(instance), None
            if landing is None:
                return
            self.scheduler.commit()
        add_migration(self.solution, instance, source, destination, kind)
        self.model.migrate_instance(instance.uuid, landing)
        self.moved.add(instance.uuid)
        self.per_node[source] = self.per_node.get(source, 0) + 1
        self.planned[kind] += 1
        self.count += 1

    def volume(self, volume: Volume, entry: dict) -> bool:
        if volume.status not in ("available", "in-use") or volume.migration_status == "migrating":
            return False
        pool = volume.pool
        if not self.room() or self.per_pool.get(pool, 0) >= int(self.params["parallel_per_pool"]):
            return False
        dst_type, dst_pool = entry.get("dst_type"), entry.get("dst_pool")
        if dst_type and dst_type != volume.volume_type:
            params = {"migration_type": "retype", "destination_type": dst_type}
        elif dst_pool and dst_pool != pool and self._pool_takes(dst_pool, volume):
            params = {"migration_type": "migrate", "destination_node": dst_pool}
            self.pool_free[dst_pool] -= volume.size
        else:
            return False
        params["resource_name"] = volume.name
        self.solution.add_action("volume_migrate", volume.uuid, params)
        self.per_pool[pool] = self.per_pool.get(pool, 0) + 1
        self.planned["attached" if volume.attachments else "volume"] += 1
        self.count += 1
        return True

    def _pool_takes(self, name: str, volume: Volume) -> bool:
        pool = self.model.pools.get(name)
        if pool is None or self.pool_free[name] < volume.size:
            return False
        return (
            not volume.volume_type
            or not pool.volume_types
            or (volume.volume_type in pool.volume_types)
        )


def execute(context: StrategyContext) -> Solution:
    model: ClusterModel = context.model
    params = context.parameters
    priority = params.get("priority", {})
    plan = _Plan(context)
    sources = [e["src_node"] for e in params.get("compute_nodes", [])]
    instances = _ordered_instances(model, sources, priority)
    targets = {i.uuid: i for i in instances}
    volumes = _ordered_volumes(model, params.get("storage_pools", []), priority)
    for volume, entry in volumes:
        if plan.volume(volume, entry) and params["with_attached_volume"]:
            for attachment in volume.attachments:
                server = targets.get(attachment.get("server_id"))
                if server is not None:
                    plan.instance(server)
    for instance in instances:
        plan.instance(instance)
    _indicators(plan, instances, volumes)
    return plan.solution


def _indicators(plan: _Plan, instances: list[Instance], volumes: list[tuple]) -> None:
    live = sum(1 for i in instances if i.state in ("active", "paused") and not i.watcher_exclude)
    cold = sum(1 for i in instances if i.state == "stopped" and not i.watcher_exclude)
    attached = sum(1 for v, _ in volumes if v.attachments)
    values = {
        "live_migrate_instance_count": live,
        "planned_live_migrate_instance_count": plan.planned["live"],
        "cold_migrate_instance_count": cold,
        "planned_cold_migrate_instance_count": plan.planned["cold"],
        "volume_migrate_count": len(volumes) - attached,
        "planned_volume_migrate_count": plan.planned["volume"],
        "volume_update_count": attached,
        "planned_volume_update_count": plan.planned["attached"],
    }
    for name, value in values.items():
        plan.solution.set_indicator(name, value)


ZONE_MIGRATION = StrategyDefinition(
    name="zone_migration",
    display_name="Zone migration",
    goal="hardware_maintenance",
    execute=execute,
    parameters_schema=PARAMETERS,
    models=("compute", "storage"),
)


@hookimpl
def watcher_strategies() -> list[StrategyDefinition]:
    return [ZONE_MIGRATION]
