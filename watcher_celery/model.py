"""The cluster data model strategies read (reference §8.3): plain objects, no services.

Built by a collector from a cloud adapter (``cloud/``) with the audit scope applied; strategies
get their own copy and may change it (``migrate_instance``) to simulate their plan. Per-node
usage is kept incrementally, so a strategy's what-if moves cost O(1) at 200,000 instances.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# --- compute -------------------------------------------------------------------------------


@dataclass(slots=True)
class ComputeNode:
    uuid: str
    hostname: str
    vcpus: int
    memory: int  # MB
    disk: int  # GB
    vcpu_reserved: int = 0
    memory_mb_reserved: int = 0
    disk_gb_reserved: int = 0
    vcpu_ratio: float = 1.0
    memory_ratio: float = 1.0
    disk_ratio: float = 1.0
    state: str = "up"  # up | down
    status: str = "enabled"  # enabled | disabled
    disabled_reason: str | None = None
    availability_zone: str | None = None
    aggregates: tuple[str, ...] = ()  # aggregate names
    # Bare-metal node behind this hypervisor, for power actions (saving_energy).
    baremetal_uuid: str | None = None

    @property
    def vcpu_capacity(self) -> float:
        return (self.vcpus - self.vcpu_reserved) * self.vcpu_ratio

    @property
    def memory_capacity(self) -> float:
        return (self.memory - self.memory_mb_reserved) * self.memory_ratio

    @property
    def disk_capacity(self) -> float:
        return (self.disk - self.disk_gb_reserved) * self.disk_ratio

    @property
    def available(self) -> bool:
        """Up and enabled: may receive instances."""
        return self.state == "up" and self.status == "enabled"


INSTANCE_STATES = (
    "active", "building", "paused", "suspended", "stopped", "rescued", "resized",
    "shelved", "soft-delete", "deleted", "error",
)  # fmt: skip


@dataclass(slots=True)
class Instance:
    uuid: str
    name: str
    vcpus: int
    memory: int  # MB (flavor)
    disk: int  # GB: root (0 if boot-from-volume) + ephemeral + ceil(swap / 1024)
    state: str = "active"
    project_id: str = ""
    host: str | None = None  # hostname of the compute node
    metadata: dict[str, Any] = field(default_factory=dict)
    locked: bool = False
    watcher_exclude: bool = False
    flavor_name: str | None = None
    created: str | None = None
    pinned_az: str | None = None
    flavor_extra_specs: dict[str, Any] = field(default_factory=dict)
    # Nova's task_state (migrating, resize_migrating, ...); None when the instance is idle.
    task_state: str | None = None
    # The message of the server's fault, shown (as Nova does) when the server is in ERROR.
    fault: str | None = None


@dataclass(slots=True)
class Usage:
    vcpus: float = 0.0
    memory: float = 0.0
    disk: float = 0.0
    count: int = 0

    def add(self, instance: Instance, sign: int = 1) -> None:
        self.vcpus += sign * instance.vcpus
        self.memory += sign * instance.memory
        self.disk += sign * instance.disk
        self.count += sign


@dataclass(slots=True)
class ServerGroup:
    """Nova server group: ``affinity`` members share one host, ``anti-affinity`` ones never do.

    The soft policies (``soft-affinity``, ``soft-anti-affinity``) are preferences Nova may
    break; strategies that honour groups treat them as the hard ones.
    """

    uuid: str
    name: str
    policy: str  # affinity | anti-affinity | soft-affinity | soft-anti-affinity
    members: tuple[str, ...] = ()  # instance uuids
    project_id: str = ""


# --- storage and bare metal ---------------------------------------------------------------


@dataclass(slots=True)
class StoragePool:
    name: str  # host@backend#pool
    total_capacity_gb: float
    free_capacity_gb: float
    provisioned_capacity_gb: float = 0.0
    allocated_capacity_gb: float = 0.0
    total_volumes: int = 0
    max_over_subscription_ratio: float = 1.0
    availability_zone: str | None = None
    volume_types: tuple[str, ...] = ()


@dataclass(slots=True)
class Volume:
    uuid: str
    name: str
    size: int  # GB
    status: str = "available"
    pool: str | None = None  # pool name (os-vol-host-attr:host)
    volume_type: str | None = None
    project_id: str = ""
    bootable: bool = False
    multiattach: bool = False
    attachments: list[dict[str, str]] = field(default_factory=list)  # [{server_id, ...}]
    snapshot_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    created_at: str | None = None
    # Cinder's: "migrating" while a migration runs, then "success" or "error"; None if never.
    migration_status: str | None = None


@dataclass(slots=True)
class BaremetalNode:
    uuid: str
    power_state: str  # "power on" | "power off"
    maintenance: bool = False
    maintenance_reason: str | None = None
    hypervisor_hostname: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# --- the model -----------------------------------------------------------------------------


class ClusterModel:
    """Nodes, instances and their mapping; storage and bare metal when collected."""

    def __init__(self) -> None:
        self.nodes: dict[str, ComputeNode] = {}  # by hostname
        self.instances: dict[str, Instance] = {}  # by uuid
        self._by_node: dict[str, dict[str, Instance]] = {}
        self._usage: dict[str, Usage] = {}
        self.pools: dict[str, StoragePool] = {}
        self.volumes: dict[str, Volume] = {}
        self.baremetal: dict[str, BaremetalNode] = {}
        self.server_groups: dict[str, ServerGroup] = {}  # by uuid, when the collector knows them
        self._group_of: dict[str, str] = {}  # member uuid -> group uuid

    # building

    def add_node(self, node: ComputeNode) -> None:
        self.nodes[node.hostname] = node
        self._by_node.setdefault(node.hostname, {})
        self._usage.setdefault(node.hostname, Usage())

    def add_instance(self, instance: Instance) -> None:
        """Add an instance; it counts on its host if that host is in the model."""
        self.instances[instance.uuid] = instance
        if instance.host in self.nodes:
            self._by_node[instance.host][instance.uuid] = instance
            self._usage[instance.host].add(instance)

    def add_server_group(self, group: ServerGroup) -> None:
        """Add a server group; its members are found by :meth:`group_of`."""
        self.server_groups[group.uuid] = group
        for member in group.members:
            self._group_of[member] = group.uuid

    def remove_node(self, hostname: str) -> None:
        """Drop a node and its instances (scope exclusion)."""
        for uuid in list(self._by_node.get(hostname, {})):
            del self.instances[uuid]
        self.nodes.pop(hostname, None)
        self._by_node.pop(hostname, None)
        self._usage.pop(hostname, None)

    # reading

    def node(self, hostname: str) -> ComputeNode:
        return self.nodes[hostname]

    def node_by_uuid(self, uuid: str) -> ComputeNode | None:
        return next((n for n in self.nodes.values() if n.uuid == uuid), None)

    def instances_on(self, hostname: str) -> list[Instance]:
        return list(self._by_node.get(hostname, {}).values())

    def iter_instances_on(self, hostname: str) -> Iterator[Instance]:
        return iter(self._by_node.get(hostname, {}).values())

    def used(self, hostname: str) -> Usage:
        """Flavor-based usage of a node (do not mutate; use ``migrate_instance``)."""
        return self._usage[hostname]

    def free(self, hostname: str) -> tuple[float, float, float]:
        node, used = self.nodes[hostname], self._usage[hostname]
        return (
            node.vcpu_capacity - used.vcpus,
            node.memory_capacity - used.memory,
            node.disk_capacity - used.disk,
        )

    def fits(self, instance: Instance, hostname: str) -> bool:
        vcpus, memory, disk = self.free(hostname)
        return instance.vcpus <= vcpus and instance.memory <= memory and instance.disk <= disk

    def group_of(self, instance_uuid: str) -> ServerGroup | None:
        """The server group of an instance (Nova allows at most one), or None."""
        group = self._group_of.get(instance_uuid)
        return None if group is None else self.server_groups.get(group)

    def volumes_in(self, pool: str) -> list[Volume]:
        return [v for v in self.volumes.values() if v.pool == pool]

    # changing (what-if)

    def migrate_instance(self, instance_uuid: str, destination: str) -> None:
        """Move an instance to another node in the model; a no-op if already there."""
        instance = self.instances[instance_uuid]
        source = instance.host
        if source == destination:
            return
        if source in self._by_node:
            del self._by_node[source][instance_uuid]
            self._usage[source].add(instance, -1)
        instance.host = destination
        self._by_node[destination][instance_uuid] = instance
        self._usage[destination].add(instance)

    def copy(self) -> ClusterModel:
        """An independent copy for a what-if; field by field, several times faster than deepcopy."""
        new = ClusterModel()
        new.nodes = {h: _clone(n) for h, n in self.nodes.items()}
        new.instances = {u: _clone(i) for u, i in self.instances.items()}
        new._by_node = {
            h: {u: new.instances[u] for u in members} for h, members in self._by_node.items()
        }
        new._usage = {h: Usage(u.vcpus, u.memory, u.disk, u.count) for h, u in self._usage.items()}
        new.pools = {n: _clone(p) for n, p in self.pools.items()}
        new.volumes = {u: _clone(v) for u, v in self.volumes.items()}
        new.baremetal = {u: _clone(b) for u, b in self.baremetal.items()}
        new.server_groups = {u: _clone(g) for u, g in self.server_groups.items()}
        new._group_of = dict(self._group_of)
        return new


def _clone(obj):
    """A copy of a model dataclass whose dict/list fields are copied too (one level)."""
    cls = type(obj)
    getter, mutable = _CLONERS.get(cls) or _cloner(cls)
    new = cls(*getter(obj))
    for name in mutable:
        value = getattr(obj, name)
        setattr(new, name, type(value)(value))
    return new


_MUTABLE = {
    Instance: ("metadata", "flavor_extra_specs"),
    Volume: ("attachments", "metadata"),
    BaremetalNode: ("extra",),
}
_CLONERS: dict[type, tuple] = {}


def _cloner(cls) -> tuple:
    names = [f.name for f in dataclasses.fields(cls)]
    _CLONERS[cls] = (operator.attrgetter(*names), _MUTABLE.get(cls, ()))
    return _CLONERS[cls]
