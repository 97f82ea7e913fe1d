"""Rows of ``GET /v1/data_model`` built from a cluster model: pure, no services."""

from __future__ import annotations

from watcher_celery.decision_engine.data_model import (
    FROZEN_FIELDS,
    NODE_FIELDS,
    SERVER_FIELDS,
    rows,
)
from watcher_celery.model import ClusterModel, ComputeNode, Instance

REFERENCE_NODE_KEYS = {
    "node_uuid", "node_hostname", "node_status", "node_disabled_reason", "node_state",
    "node_memory", "node_memory_mb_reserved", "node_disk", "node_disk_gb_reserved",
    "node_vcpus", "node_vcpu_reserved", "node_memory_ratio", "node_vcpu_ratio",
    "node_disk_ratio",
}  # fmt: skip
REFERENCE_SERVER_KEYS = {
    "server_uuid", "server_watcher_exclude", "server_name", "server_state", "server_memory",
    "server_disk", "server_vcpus", "server_metadata", "server_project_id", "server_locked",
    "server_pinned_az", "server_flavor_extra_specs",
}  # fmt: skip


def _node(uuid: str, hostname: str, **kw) -> ComputeNode:
    return ComputeNode(uuid=uuid, hostname=hostname, vcpus=16, memory=32768, disk=500, **kw)


def _instance(uuid: str, host: str, **kw) -> Instance:
    return Instance(
        uuid=uuid, name=f"vm-{uuid[:4]}", vcpus=2, memory=2048, disk=20, host=host, **kw
    )


def _model() -> ClusterModel:
    model = ClusterModel()
    # Added out of order: rows must come sorted by node uuid, then instance uuid.
    model.add_node(_node("cccc", "host-c"))
    model.add_node(_node("aaaa", "host-a", status="disabled", disabled_reason="maintenance"))
    model.add_node(_node("bbbb", "host-b", vcpu_ratio=4.0, memory_mb_reserved=512))
    model.add_instance(_instance("9999", "host-a", metadata={"optimize": "true"}))
    model.add_instance(_instance("1111", "host-a", locked=True, watcher_exclude=True))
    model.add_instance(
        _instance("5555", "host-c", pinned_az="az2", flavor_extra_specs={"hw:cpu": "dedicated"})
    )
    return model


def test_the_field_set_is_the_reference_whitelist():
    assert set(NODE_FIELDS) == REFERENCE_NODE_KEYS
    assert set(SERVER_FIELDS) == REFERENCE_SERVER_KEYS
    assert FROZEN_FIELDS == REFERENCE_NODE_KEYS | REFERENCE_SERVER_KEYS


def test_one_row_per_placement_and_one_per_empty_node_sorted():
    out = rows(_model())
    pairs = [(r["node_uuid"], r.get("server_uuid")) for r in out]
    assert pairs == [("aaaa", "1111"), ("aaaa", "9999"), ("bbbb", None), ("cccc", "5555")]


def test_rows_carry_exactly_the_whitelisted_keys():
    out = rows(_model())
    for row in out:
        expected = FROZEN_FIELDS if "server_uuid" in row else REFERENCE_NODE_KEYS
        assert set(row) == expected


def test_row_values_come_from_the_node_and_the_instance():
    by_server = {r.get("server_uuid"): r for r in rows(_model())}
    locked = by_server["1111"]
    assert locked["node_hostname"] == "host-a"
    assert locked["node_status"] == "disabled"
    assert locked["node_disabled_reason"] == "maintenance"
    assert locked["server_locked"] is True and locked["server_watcher_exclude"] is True
    assert by_server["9999"]["server_metadata"] == {"optimize": "true"}
    assert by_server["9999"]["server_locked"] is False
    empty = by_server[None]
    assert empty["node_vcpu_ratio"] == 4.0 and empty["node_memory_mb_reserved"] == 512
    pinned = by_server["5555"]
    assert pinned["server_pinned_az"] == "az2"
    assert pinned["server_flavor_extra_specs"] == {"hw:cpu": "dedicated"}
    assert (pinned["server_vcpus"], pinned["server_memory"], pinned["server_disk"]) == (
        2,
        2048,
        20,
    )


def test_rows_do_not_share_the_model_dicts():
    model = _model()
    out = rows(model)
    next(r for r in out if r.get("server_uuid") == "9999")["server_metadata"]["x"] = 1
    assert model.instances["9999"].metadata == {"optimize": "true"}


def test_an_empty_model_has_no_rows():
    assert rows(ClusterModel()) == []
