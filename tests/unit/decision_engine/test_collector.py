"""The cluster model built from the simulated cloud, with the audit scope applied."""

from __future__ import annotations

import pytest

from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.decision_engine.collector import collect
from watcher_celery.errors import CloudError


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    path = tmp_path_factory.mktemp("cloud") / "cloud.sqlite"
    return SimulatedCloud.create(path, seed=21, hosts=40, instances=400)


def test_unscoped_model_holds_every_node_and_its_usage(cloud):
    model = collect(cloud, [])
    assert len(model.nodes) == 40 and len(model.instances) == 400
    usage = cloud.host_usage()
    for hostname in model.nodes:
        used = model.used(hostname)
        expected = usage.get(hostname, (0, 0, 0, 0))
        assert (used.vcpus, used.memory, used.disk, used.count) == expected


def test_zone_scope_drops_other_nodes_with_their_instances(cloud):
    model = collect(cloud, [{"availability_zones": [{"name": "az1"}]}])
    assert model.nodes and {n.availability_zone for n in model.nodes.values()} == {"az1"}
    assert all(i.host in model.nodes for i in model.instances.values())
    expected = sum(1 for i in cloud.instances() if i.host in model.nodes)
    assert len(model.instances) == expected


def test_aggregate_scope_by_id(cloud):
    ssd = next(a for a in cloud.aggregates() if a["name"] == "ssd")
    model = collect(cloud, [{"host_aggregates": [{"id": ssd["id"]}]}])
    assert set(model.nodes) == set(ssd["hosts"])


def test_excluded_instances_stay_marked(cloud):
    inst = next(i for i in cloud.instances() if i.metadata.get("optimize") != "false")
    model = collect(
        cloud,
        [{"exclude": [{"instances": [{"uuid": inst.uuid}]},
                      {"instance_metadata": [{"optimize": "false"}]}]}],
    )  # fmt: skip
    excluded = {i.uuid for i in model.instances.values() if i.watcher_exclude}
    flagged = {i.uuid for i in cloud.instances() if i.metadata.get("optimize") == "false"}
    assert excluded == flagged | {inst.uuid}
    assert len(model.instances) == 400


def test_excluded_node_leaves_with_its_instances(cloud):
    busiest = max(cloud.host_usage().items(), key=lambda kv: kv[1][3])[0]
    model = collect(cloud, [{"exclude": [{"compute_nodes": [{"name": busiest}]}]}])
    assert busiest not in model.nodes
    assert all(i.host != busiest for i in model.instances.values())


def test_storage_and_baremetal_models(cloud):
    pool = cloud.storage_pools()[0]
    model = collect(
        cloud,
        [{"storage": [{"exclude": [{"storage_pools": [{"name": pool.name}]}]}]}],
        ("storage", "baremetal"),
    )
    assert pool.name not in model.pools and model.pools
    assert all(v.pool in model.pools for v in model.volumes.values())
    assert len(model.baremetal) == 40 and not model.nodes


def test_an_adapter_that_breaks_is_a_clear_cloud_error(cloud, tmp_path):
    broken = SimulatedCloud(tmp_path / "empty.sqlite")
    broken._conn.execute("DROP TABLE hosts")
    with pytest.raises(CloudError, match="could not be collected from the cloud"):
        collect(broken, [])
    with pytest.raises(CloudError, match="Unknown cluster data model"):
        collect(cloud, [], ("network",))
