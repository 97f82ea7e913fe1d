"""Audit scope parsing (reference §8.4): what is accepted, and what is refused clearly."""

from __future__ import annotations

import pytest

from watcher_celery.decision_engine.scope import parse_scope
from watcher_celery.errors import Invalid
from watcher_celery.model import ComputeNode, Instance


def node(name, az="az1", aggs=()):
    return ComputeNode(uuid=name, hostname=name, vcpus=8, memory=8192, disk=100,
                       availability_zone=az, aggregates=tuple(aggs))  # fmt: skip


def test_bare_rule_list_is_the_compute_section():
    scope = parse_scope([{"availability_zones": [{"name": "az2"}]}])
    assert scope.compute.zones == {"az2"}
    assert not scope.compute.node_selected(node("a", "az1"), {})
    assert scope.compute.node_selected(node("b", "az2"), {})


def test_star_zone_selects_every_zone_and_must_be_alone():
    assert (
        parse_scope([{"compute": [{"availability_zones": [{"name": "*"}]}]}]).compute.zones is None
    )
    with pytest.raises(Invalid, match="must be alone"):
        parse_scope([{"availability_zones": [{"name": "*"}, {"name": "az1"}]}])


def test_aggregates_match_by_name_or_id():
    scope = parse_scope([{"host_aggregates": [{"id": 7}, {"name": "ssd"}]}])
    ids = {"gpu": 7, "ssd": 3}
    assert scope.compute.node_selected(node("a", aggs=["gpu"]), ids)
    assert scope.compute.node_selected(node("b", aggs=["ssd"]), ids)
    assert not scope.compute.node_selected(node("c", aggs=["other"]), ids)


def test_exclusions_of_nodes_and_instances():
    scope = parse_scope([{"exclude": [
        {"compute_nodes": [{"name": "a"}]},
        {"instances": [{"uuid": "i1"}]},
        {"projects": [{"uuid": "p2"}]},
        {"instance_metadata": [{"optimize": "false"}]},
    ]}])  # fmt: skip
    c = scope.compute
    assert not c.node_selected(node("a"), {}) and c.node_selected(node("b"), {})
    inst = Instance(uuid="i9", name="x", vcpus=1, memory=512, disk=1, project_id="p1")
    assert not c.instance_excluded(inst)
    assert c.instance_excluded(Instance("i1", "x", 1, 512, 1, project_id="p1"))
    assert c.instance_excluded(Instance("i2", "x", 1, 512, 1, project_id="p2"))
    assert c.instance_excluded(
        Instance("i3", "x", 1, 512, 1, project_id="p1", metadata={"optimize": "false"})
    )


def test_storage_and_baremetal_sections():
    scope = parse_scope([
        {"storage": [{"volume_types": [{"name": "fast"}]},
                     {"exclude": [{"volumes": [{"uuid": "v1"}]}]}]},
        {"baremetal": [{"exclude": [{"ironic_nodes": [{"uuid": "n1"}]}]}]},
    ])  # fmt: skip
    assert scope.storage.volume_types == {"fast"}
    assert scope.storage.exclude_volumes == {"v1"}
    assert scope.exclude_baremetal == {"n1"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"compute": []}, "must be a list"),
        ([{"availability_zones": [{"zone": "x"}]}], "need a 'name'"),
        ([{"colour": "blue"}], "Unknown compute scope rule"),
        ([{"exclude": [{"planets": []}]}], "Unknown compute scope exclusion"),
        (
            [
                {"host_aggregates": [{"name": "a"}]},
                {"exclude": [{"host_aggregates": [{"name": "b"}]}]},
            ],
            "both include and exclude",
        ),  # fmt: skip
    ],
)
def test_malformed_scope_is_invalid(raw, message):
    with pytest.raises(Invalid, match=message):
        parse_scope(raw)
