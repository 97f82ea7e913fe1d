"""ClusterModel.copy: a what-if on the copy leaves the original untouched."""

from __future__ import annotations

from watcher_celery.model import ClusterModel, ComputeNode, Instance, Volume


def _model() -> ClusterModel:
    model = ClusterModel()
    for name in ("a", "b"):
        model.add_node(ComputeNode(uuid=name, hostname=name, vcpus=8, memory=8192, disk=100))
    model.add_instance(Instance("i1", "vm", 2, 2048, 20, host="a", metadata={"role": "db"}))
    model.volumes["v1"] = Volume("v1", "vol", 10, attachments=[{"server_id": "i1"}])
    return model


def test_migrating_in_a_copy_leaves_the_original_as_it_was():
    original = _model()
    twin = original.copy()
    twin.migrate_instance("i1", "b")
    twin.instances["i1"].metadata["role"] = "web"
    twin.volumes["v1"].attachments.clear()
    assert original.instances["i1"].host == "a" and original.used("a").vcpus == 2
    assert original.used("b").count == 0 and original.instances_on("a")[0].uuid == "i1"
    assert original.instances["i1"].metadata == {"role": "db"}
    assert original.volumes["v1"].attachments == [{"server_id": "i1"}]
    assert twin.used("b").vcpus == 2 and twin.instances_on("b")[0] is twin.instances["i1"]
