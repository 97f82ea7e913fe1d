"""The audit scope (reference §8.4): parsed once, then asked per node, instance and volume.

A scope is a list of per-model sections, ``[{"compute": [...]}, {"storage": [...]},
{"baremetal": [...]}]``; a bare list of rules is the compute section. Malformed scopes raise
:class:`~watcher_celery.errors.Invalid` with the offending part named.

Quirk fixed: upstream honours ``instance_metadata`` exclusions only when a collector flag is
set; here an exclusion written in the scope always applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from watcher_celery.errors import Invalid

ALL = "*"


@dataclass
class ComputeScope:
    zones: set[str] | None = None  # None: every zone
    aggregates: list[dict[str, Any]] | None = None  # include rules; None: every host
    exclude_nodes: set[str] = field(default_factory=set)
    exclude_aggregates: list[dict[str, Any]] = field(default_factory=list)
    exclude_instances: set[str] = field(default_factory=set)
    exclude_projects: set[str] = field(default_factory=set)
    exclude_metadata: list[dict[str, Any]] = field(default_factory=list)

    def node_selected(self, node, aggregate_ids: Mapping[str, Any]) -> bool:
        """In an included zone and aggregate, and not excluded by name or aggregate."""
        if self.zones is not None and node.availability_zone not in self.zones:
            return False
        if node.hostname in self.exclude_nodes:
            return False
        if self.aggregates is not None and not _in_aggregates(node, self.aggregates, aggregate_ids):
            return False
        return not (
            self.exclude_aggregates and _in_aggregates(node, self.exclude_aggregates, aggregate_ids)
        )

    def instance_excluded(self, instance) -> bool:
        """Kept in the model but marked ``watcher_exclude`` (strategies leave it alone)."""
        if instance.uuid in self.exclude_instances or instance.project_id in self.exclude_projects:
            return True
        metadata = instance.metadata
        return any(
            all(str(metadata.get(k)) == str(v) for k, v in rule.items())
            for rule in self.exclude_metadata
        )


@dataclass
class StorageScope:
    zones: set[str] | None = None
    volume_types: set[str] | None = None
    exclude_pools: set[str] = field(default_factory=set)
    exclude_volumes: set[str] = field(default_factory=set)
    exclude_projects: set[str] = field(default_factory=set)

    def pool_selected(self, pool) -> bool:
        if self.zones is not None and pool.availability_zone not in self.zones:
            return False
        if self.volume_types is not None and not self.volume_types & set(pool.volume_types):
            return False
        return pool.name not in self.exclude_pools

    def volume_excluded(self, volume) -> bool:
        return volume.uuid in self.exclude_volumes or volume.project_id in self.exclude_projects


@dataclass
class Scope:
    compute: ComputeScope = field(default_factory=ComputeScope)
    storage: StorageScope = field(default_factory=StorageScope)
    exclude_baremetal: set[str] = field(default_factory=set)


def parse_scope(raw: Any) -> Scope:
    """Parse an audit's scope; an empty or missing scope selects everything."""
    scope = Scope()
    if not raw:
        return scope
    if not isinstance(raw, list):
        raise Invalid("Audit scope must be a list")
    if all(isinstance(s, dict) and len(s) == 1 and next(iter(s)) in SECTIONS for s in raw):
        sections = [next(iter(s.items())) for s in raw]
    else:
        sections = [("compute", raw)]
    for name, rules in sections:
        if not isinstance(rules, list):
            raise Invalid(f"Audit scope section '{name}' must be a list of rules")
        for rule in rules:
            if not isinstance(rule, dict) or len(rule) != 1:
                raise Invalid(f"Audit scope rule {rule!r} must be an object with one key")
            key, value = next(iter(rule.items()))
            SECTIONS[name](scope, key, value)
    if scope.compute.aggregates is not None and scope.compute.exclude_aggregates:
        raise Invalid("Audit scope cannot both include and exclude host aggregates")
    return scope


def _compute(scope: Scope, key: str, value: Any) -> None:
    c = scope.compute
    if key == "availability_zones":
        c.zones = _zones(value)
    elif key == "host_aggregates":
        c.aggregates = _aggregates(value)
    elif key == "exclude":
        for item in _list(value, key):
            what, entries = _exclusion(item)
            if what == "instances":
                c.exclude_instances |= _names(entries, "uuid", what)
            elif what == "compute_nodes":
                c.exclude_nodes |= _names(entries, "name", what)
            elif what == "host_aggregates":
                c.exclude_aggregates += _aggregates(entries) or []
            elif what == "projects":
                c.exclude_projects |= _names(entries, "uuid", what)
            elif what == "instance_metadata":
                c.exclude_metadata += [dict(e) for e in _list(entries, what)]
            else:
                raise Invalid(f"Unknown compute scope exclusion {item!r}")
    else:
        raise Invalid(f"Unknown compute scope rule '{key}'")


def _storage(scope: Scope, key: str, value: Any) -> None:
    s = scope.storage
    if key == "availability_zones":
        s.zones = _zones(value)
    elif key == "volume_types":
        s.volume_types = _names(value, "name", key)
    elif key == "exclude":
        for item in _list(value, key):
            what, entries = _exclusion(item)
            if what == "storage_pools":
                s.exclude_pools |= _names(entries, "name", what)
            elif what == "volumes":
                s.exclude_volumes |= _names(entries, "uuid", what)
            elif what == "projects":
                s.exclude_projects |= _names(entries, "uuid", what)
            else:
                raise Invalid(f"Unknown storage scope exclusion {item!r}")
    else:
        raise Invalid(f"Unknown storage scope rule '{key}'")


def _baremetal(scope: Scope, key: str, value: Any) -> None:
    if key != "exclude":
        raise Invalid(f"Unknown baremetal scope rule '{key}'")
    for item in _list(value, key):
        if not isinstance(item, dict) or set(item) != {"ironic_nodes"}:
            raise Invalid(f"Unknown baremetal scope exclusion {item!r}")
        scope.exclude_baremetal |= _names(item["ironic_nodes"], "uuid", "ironic_nodes")


SECTIONS = {"compute": _compute, "storage": _storage, "baremetal": _baremetal}


def _zones(value: Any) -> set[str] | None:
    names = _names(value, "name", "availability_zones")
    return None if names == {ALL} else names


def _exclusion(item: Any) -> tuple[str | None, Any]:
    if isinstance(item, dict) and len(item) == 1:
        return next(iter(item.items()))
    return None, None


def _list(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise Invalid(f"Audit scope '{what}' must be a list")
    return value


def _names(value: Any, key: str, what: str) -> set[str]:
    items = _list(value, what)
    if not all(isinstance(i, dict) and key in i for i in items):
        raise Invalid(f"Audit scope '{what}' entries need a '{key}'")
    names = {str(i[key]) for i in items}
    if ALL in names and len(names) > 1:
        raise Invalid(f"Audit scope '{what}': '*' must be alone")
    return names


def _aggregates(value: Any) -> list[dict[str, Any]] | None:
    items = _list(value, "host_aggregates")
    if not all(isinstance(i, dict) and ({"id", "name"} & set(i)) for i in items):
        raise Invalid("Audit scope 'host_aggregates' entries need an 'id' or a 'name'")
    if any(i.get("id") == ALL or i.get("name") == ALL for i in items):
        if len(items) > 1:
            raise Invalid("Audit scope 'host_aggregates': '*' must be alone")
        return None
    return items


def _in_aggregates(node, rules: Iterable[dict[str, Any]], aggregate_ids: Mapping[str, Any]):
    names = set(node.aggregates)
    for rule in rules:
        if "name" in rule and rule["name"] in names:
            return True
        if "id" in rule and any(str(aggregate_ids.get(n)) == str(rule["id"]) for n in names):
            return True
    return False
