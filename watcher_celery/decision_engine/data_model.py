"""The compute data model as ``GET /v1/data_model`` shows it: flat rows, one per placement.

:func:`rows` is pure: a :class:`ClusterModel` in, the rows out, one per (node, instance) pair
plus one per node without instances, sorted by node UUID then instance UUID. Only the frozen
field set of the reference leaves here, so a new model attribute cannot leak into the API
without a microversion. A node without instances carries only ``node_*`` keys, as upstream.
:func:`build_rows` collects the model from the configured cloud with an audit scope applied.
"""

from __future__ import annotations

from typing import Any

from watcher_celery.cloud.factory import get_cloud
from watcher_celery.config import Settings
from watcher_celery.decision_engine.collector import collect
from watcher_celery.errors import CloudError, WatcherCeleryError
from watcher_celery.model import ClusterModel, ComputeNode, Instance

# Row key → model attribute, in the reference's order.
NODE_FIELDS = {
    "node_uuid": "uuid",
    "node_hostname": "hostname",
    "node_status": "status",
    "node_disabled_reason": "disabled_reason",
    "node_state": "state",
    "node_memory": "memory",
    "node_memory_mb_reserved": "memory_mb_reserved",
    "node_disk": "disk",
    "node_disk_gb_reserved": "disk_gb_reserved",
    "node_vcpus": "vcpus",
    "node_vcpu_reserved": "vcpu_reserved",
    "node_memory_ratio": "memory_ratio",
    "node_vcpu_ratio": "vcpu_ratio",
    "node_disk_ratio": "disk_ratio",
}
SERVER_FIELDS = {
    "server_uuid": "uuid",
    "server_watcher_exclude": "watcher_exclude",
    "server_name": "name",
    "server_state": "state",
    "server_memory": "memory",
    "server_disk": "disk",
    "server_vcpus": "vcpus",
    "server_metadata": "metadata",
    "server_project_id": "project_id",
    "server_locked": "locked",
    "server_pinned_az": "pinned_az",
    "server_flavor_extra_specs": "flavor_extra_specs",
}
# Added by microversion 1.6; hidden below it by the API.
SINCE_1_6 = ("server_pinned_az", "server_flavor_extra_specs")
FROZEN_FIELDS = frozenset(NODE_FIELDS) | frozenset(SERVER_FIELDS)


def _values(obj: Any, fields: dict[str, str]) -> dict[str, Any]:
    row = {}
    for key, attribute in fields.items():
        value = getattr(obj, attribute)
        row[key] = dict(value) if isinstance(value, dict) else value
    return row


def node_row(node: ComputeNode) -> dict[str, Any]:
    return _values(node, NODE_FIELDS)


def server_row(instance: Instance) -> dict[str, Any]:
    return _values(instance, SERVER_FIELDS)


def rows(model: ClusterModel) -> list[dict[str, Any]]:
    """Every placement of the model as a flat row (see the module docstring)."""
    out = []
    for node in sorted(model.nodes.values(), key=lambda n: n.uuid):
        base = node_row(node)
        instances = sorted(model.iter_instances_on(node.hostname), key=lambda i: i.uuid)
        if not instances:
            out.append(base)
        out.extend({**base, **server_row(instance)} for instance in instances)
    return out


def open_cloud(settings: Settings | None = None) -> Any:
    """The configured cloud adapter; any failure to open it is a CloudError saying why."""
    try:
        return get_cloud(settings)
    except WatcherCeleryError:
        raise
    except Exception as exc:
        raise CloudError(f"The cloud cannot be reached: {type(exc).__name__}: {exc}") from exc


def build_rows(scope: Any = None) -> list[dict[str, Any]]:
    """Rows of the compute model collected now from the configured cloud, ``scope`` applied."""
    return rows(collect(open_cloud(), scope, ("compute",)))
