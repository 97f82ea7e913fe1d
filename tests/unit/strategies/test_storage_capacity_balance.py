"""storage_capacity_balance: pools over the threshold shed volumes to pools with room."""

from __future__ import annotations

from strategies.storage_capacity_balance import STORAGE_CAPACITY_BALANCE as SCB
from tests.unit.strategies.clusters import run
from watcher_celery.model import ClusterModel, StoragePool, Volume


def _storage(pools: dict[str, tuple[float, list[int]]], vtype: str = "std") -> ClusterModel:
    """``{pool: (total GB, [volume sizes])}``."""
    model = ClusterModel()
    for name, (total, sizes) in pools.items():
        model.pools[name] = StoragePool(name, total, total - sum(sizes), volume_types=(vtype,))
        for n, size in enumerate(sizes):
            uuid = f"{name}-v{n}"
            model.volumes[uuid] = Volume(uuid, uuid, size, pool=name, volume_type=vtype)
    return model


def _moves(solution) -> list[tuple[str, str]]:
    return [
        (a.input_parameters["resource_id"], a.input_parameters["destination_node"])
        for a in solution.actions
    ]


def test_the_smallest_volume_that_alone_suffices_moves_to_the_emptiest_pool():
    # Given a 100 GB pool at 90 GB (threshold 80 %: more than 10 GB must go) and two others
    model = _storage({"full": (100, [5, 15, 30, 40]), "half": (100, [50]), "empty": (100, [])})
    solution = run(SCB, model)
    # Then one migration of the 15 GB volume (not three small ones) to the emptiest pool
    assert _moves(solution) == [("full-v1", "empty")]


def test_without_one_large_enough_the_largest_go_first_until_under():
    model = _storage({"full": (100, [9, 9, 9, 9, 9, 9, 9, 9, 9, 9]), "empty": (100, [])})
    solution = run(SCB, model, volume_threshold=50.0)
    # 90 GB, threshold 50 GB: five 9 GB volumes leave (45 GB left), the target stays at 45 %
    assert len(_moves(solution)) == 5


def test_a_pool_of_another_type_or_that_would_end_over_the_threshold_is_not_used():
    # Given 90 GB of 100 used; a big pool of another type; a 24 GB pool that 20 GB would
    # fill to 83 %
    model = _storage({"full": (100, [20, 70])})
    model.pools["other"] = StoragePool("other", 1000, 1000, volume_types=("fast",))
    model.pools["small"] = StoragePool("small", 24, 24, volume_types=("std",))
    # Then nothing can move
    assert run(SCB, model).actions == []
    # and with a 26 GB pool (77 %) the 20 GB volume goes there
    model.pools["small"] = StoragePool("small", 26, 26, volume_types=("std",))
    assert _moves(run(SCB, model)) == [("full-v0", "small")]


def test_migrating_or_errored_volumes_stay():
    model = _storage({"full": (100, [15, 75]), "empty": (100, [])})
    model.volumes["full-v0"].migration_status = "migrating"
    model.volumes["full-v1"].status = "error"
    assert run(SCB, model).actions == []
