"""zone_migration: instances and volumes leave named hosts and pools, within the caps."""

from __future__ import annotations

import pytest

from strategies.zone_migration import ZONE_MIGRATION as ZM
from tests.unit.strategies.clusters import cluster, migrations, run
from watcher_celery.errors import Invalid
from watcher_celery.model import StoragePool, Volume


def _volumes(model, pool: str, sizes: list[int], attach: dict[int, str] | None = None) -> None:
    model.pools[pool] = StoragePool(pool, 1000, 1000 - sum(sizes), volume_types=("std",))
    for n, size in enumerate(sizes):
        server = (attach or {}).get(n)
        model.volumes[f"{pool}-v{n}"] = Volume(
            f"{pool}-v{n}", f"{pool}-v{n}", size, status="in-use" if server else "available",
            pool=pool, volume_type="std",
            attachments=[{"server_id": server}] if server else [],
        )  # fmt: skip


def test_instances_go_to_dst_node_largest_first_within_the_per_node_cap():
    model = cluster({"old": [1, 4, 2], "new": []})
    solution = run(
        ZM,
        model,
        compute_nodes=[{"src_node": "old", "dst_node": "new"}],
        priority={"compute": "vcpu_num"},
    )
    # parallel_per_node 2: the two largest move this time
    assert migrations(solution) == [("old-vm1", "old", "new"), ("old-vm2", "old", "new")]
    assert solution.indicators["live_migrate_instance_count"] == 3
    assert solution.indicators["planned_live_migrate_instance_count"] == 2


def test_a_dst_node_without_room_gets_nothing_and_undirected_needs_room_elsewhere():
    model = cluster({"old": [8, 8], "new": [12], "spare": [4]})
    directed = run(ZM, model.copy(), compute_nodes=[{"src_node": "old", "dst_node": "new"}])
    assert migrations(directed) == []  # 4 vCPUs free on "new": neither fits
    undirected = run(ZM, model, compute_nodes=[{"src_node": "old"}])
    # 4 free on new + 12 on spare: one 8-vCPU instance can be placed by the scheduler, not two
    assert migrations(undirected) == [("old-vm0", "old", None)]


def test_volumes_first_then_their_attached_instances_with_with_attached_volume():
    model = cluster({"old": [1, 1], "new": []})
    _volumes(model, "p1", [10, 20], attach={1: "old-vm1"})
    model.pools["p2"] = StoragePool("p2", 1000, 1000, volume_types=("std",))
    solution = run(
        ZM,
        model,
        compute_nodes=[{"src_node": "old", "dst_node": "new"}],
        storage_pools=[{"src_pool": "p1", "dst_pool": "p2"}],
        priority={"storage": "size"},
        with_attached_volume=True,
    )
    order = [(a.action_type, a.input_parameters["resource_id"]) for a in solution.actions]
    assert order == [
        ("volume_migrate", "p1-v1"),
        ("migrate", "old-vm1"),
        ("volume_migrate", "p1-v0"),
        ("migrate", "old-vm0"),
    ]
    assert solution.indicators["volume_update_count"] == 1
    assert solution.indicators["planned_volume_migrate_count"] == 1


def test_dst_type_retypes_and_parallel_total_caps_the_plan():
    model = cluster({"a": []})
    _volumes(model, "p1", [1, 2, 3])
    solution = run(
        ZM, model, storage_pools=[{"src_pool": "p1", "dst_type": "fast"}], parallel_total=1
    )
    assert [a.input_parameters["migration_type"] for a in solution.actions] == ["retype"]


def test_a_pool_entry_needs_exactly_one_of_dst_pool_and_dst_type():
    with pytest.raises(Invalid):
        run(
            ZM,
            cluster({"a": []}),
            storage_pools=[{"src_pool": "p", "dst_pool": "q", "dst_type": "t"}],
        )
