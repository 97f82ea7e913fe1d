"""The cluster after a plan: each host's load once the plan's actions have all succeeded.

A migration moves its instance's vCPUs, memory and disk from the host the instance is on to
the destination; a migration without a destination is left to Nova's scheduler, so its
instance leaves the source and lands nowhere we can show (counted in ``unplaced``). A service
change marks the host enabled or disabled, a power change marks it up or down. Other action
types (resize, stop, volume moves, sleep, nop) change nothing on the map.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class HostLoad:
    """One host as the heat map shows it: used and usable capacity, availability."""

    hostname: str
    zone: str = ""
    aggregates: tuple[str, ...] = ()
    vcpus_used: float = 0.0
    vcpus_capacity: float = 0.0
    memory_used: float = 0.0  # MB
    memory_capacity: float = 0.0
    disk_used: float = 0.0  # GB
    disk_capacity: float = 0.0
    instances: int = 0
    status: str = "enabled"  # enabled | disabled
    state: str = "up"  # up | down


@dataclass(frozen=True, slots=True)
class InstanceSize:
    uuid: str
    host: str | None
    vcpus: int
    memory: int  # MB
    disk: int  # GB


@dataclass(slots=True)
class Prediction:
    hosts: dict[str, HostLoad]
    moved: int = 0  # migrations shown on the map
    unplaced: list[str] = field(default_factory=list)  # instances the scheduler will place
    unknown: list[str] = field(default_factory=list)  # instances or hosts not in the model


def _shift(host: HostLoad, instance: InstanceSize, sign: int) -> None:
    host.vcpus_used += sign * instance.vcpus
    host.memory_used += sign * instance.memory
    host.disk_used += sign * instance.disk
    host.instances += sign


def _migrate(
    result: Prediction, where: dict[str, str | None], sizes: Mapping[str, InstanceSize], params
) -> None:
    uuid = params.get("resource_id")
    instance = sizes.get(uuid)
    if instance is None:
        result.unknown.append(str(uuid))
        return
    source = where.get(uuid)
    destination = params.get("destination_node")
    if source in result.hosts:
        _shift(result.hosts[source], instance, -1)
    if not destination:
        result.unplaced.append(uuid)
        where[uuid] = None
        return
    if destination not in result.hosts:
        result.unknown.append(destination)
        where[uuid] = None
        return
    _shift(result.hosts[destination], instance, +1)
    where[uuid] = destination
    result.moved += 1


def _host_of(result: Prediction, params) -> HostLoad | None:
    for key in ("resource_name", "resource_id"):
        host = result.hosts.get(params.get(key) or "")
        if host is not None:
            return host
    result.unknown.append(str(params.get("resource_name") or params.get("resource_id")))
    return None


def predict(
    hosts: Iterable[HostLoad],
    instances: Mapping[str, InstanceSize],
    actions: Iterable[Mapping[str, Any]],
) -> Prediction:
    """The hosts after ``actions`` (``action_type`` and ``input_parameters`` each), in order.

    ``hosts`` are not changed; the prediction holds copies.
    """
    result = Prediction({h.hostname: dataclasses.replace(h) for h in hosts})
    where = {uuid: size.host for uuid, size in instances.items()}
    for action in actions:
        kind, params = action["action_type"], action.get("input_parameters") or {}
        if kind == "migrate":
            _migrate(result, where, instances, params)
        elif kind == "change_nova_service_state":
            host = _host_of(result, params)
            if host is not None:
                host.status = "enabled" if params.get("state") == "enabled" else "disabled"
        elif kind == "change_node_power_state":
            host = _host_of(result, params)
            if host is not None:
                host.state = "up" if params.get("state") == "on" else "down"
    return result
