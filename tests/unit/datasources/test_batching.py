"""The per-audit cache answers a bound audit's resources with one batched read per metric."""

from __future__ import annotations

from watcher_celery.datasources.memory import MemoryDatasource
from watcher_celery.model import ClusterModel, ComputeNode, Instance


class CountingDatasource(MemoryDatasource):
    """Records each batched read: (resource count, metric, period, aggregate)."""

    def __init__(self, values):
        super().__init__(values)
        self.batches = []

    def query_many(self, resources, resource_type, metric, period, aggregate, granularity):
        self.batches.append((len(resources), metric, period, aggregate))
        return super().query_many(resources, resource_type, metric, period, aggregate,
                                  granularity)  # fmt: skip


def _model(hosts: int = 3, per_host: int = 4) -> ClusterModel:
    model = ClusterModel()
    for h in range(hosts):
        model.add_node(ComputeNode(uuid=f"n{h}", hostname=f"h{h}", vcpus=8, memory=1024, disk=10))
        for k in range(per_host):
            model.add_instance(Instance(uuid=f"i{h}-{k}", name="vm", vcpus=1, memory=256,
                                        disk=1, host=f"h{h}"))  # fmt: skip
    return model


def test_first_read_of_a_metric_fetches_it_for_every_resource_of_the_audit():
    # Given a datasource bound to an audit of 3 hosts and 12 instances
    model = _model()
    ds = CountingDatasource({("i0-0", "instance_cpu_usage"): 12.5, ("n1", "host_cpu_usage"): 40})
    ds.bind(model.copy())
    # When a strategy reads every instance's and host's CPU one at a time
    cpu = [ds.instance_metric(i, "instance_cpu_usage") for i in model.instances.values()]
    hosts = [ds.host_metric(n, "host_cpu_usage", 600, "max") for n in model.nodes.values()]
    # Then each metric was one batched read of all resources, and the values are per resource
    assert ds.batches == [(12, "instance_cpu_usage", 300, "mean"),
                          (3, "host_cpu_usage", 600, "max")]  # fmt: skip
    assert cpu[0] == 12.5 and cpu[1:] == [None] * 11
    assert hosts == [None, 40, None]
    # And another period or aggregate is another batch; a repeated read is none
    ds.instance_metric(model.instances["i2-3"], "instance_cpu_usage", 600)
    ds.instance_metric(model.instances["i2-3"], "instance_cpu_usage")
    assert len(ds.batches) == 3


def test_a_resource_outside_the_bound_model_is_read_on_its_own():
    ds = CountingDatasource({("stray", "instance_ram_usage"): 64})
    ds.bind(_model())
    stray = Instance(uuid="stray", name="s", vcpus=1, memory=128, disk=1)
    assert ds.instance_metric(stray, "instance_ram_usage") == 64
    assert ds.batches == [] and ds.queries == 1


def test_injected_values_are_kept_and_the_batch_reads_only_the_rest():
    model = _model(hosts=1, per_host=3)
    ds = CountingDatasource({})
    ds.inject("i0-1", "instance_cpu_usage", 77.0)
    ds.bind(model)
    assert ds.instance_metric(model.instances["i0-1"], "instance_cpu_usage") == 77.0
    assert ds.instance_metric(model.instances["i0-0"], "instance_cpu_usage") is None
    assert ds.batches == [(2, "instance_cpu_usage", 300, "mean")]


def test_many_resources_are_read_in_one_batch_and_then_from_the_cache():
    # Given a datasource bound to the instances of two hosts, one value cached already
    model = _model(hosts=2, per_host=2)
    ds = CountingDatasource(
        {("i0-0", "instance_ram_usage"): 128, ("i1-1", "instance_ram_usage"): 64}
    )
    ds.bind(model)
    ds.inject("i0-1", "instance_ram_usage", 32.0, period=600)
    instances = list(model.instances.values())
    # When a strategy reads the metric of all of them at once, twice
    first = ds.metric_values(instances, "instance", "instance_ram_usage", 600)
    again = ds.metric_values(instances, "instance", "instance_ram_usage", 600)
    # Then the backend was asked once, for those not cached, and every instance has its value
    assert ds.batches == [(3, "instance_ram_usage", 600, "mean")]
    assert {u: again[u] for u in model.instances} == {"i0-0": 128, "i0-1": 32.0, "i1-0": None,
                                                      "i1-1": 64}  # fmt: skip
    assert first["i1-1"] == 64
    # And a single read of one of them is answered from the same cache
    assert ds.instance_metric(model.instances["i1-1"], "instance_ram_usage", 600) == 64
    assert ds.queries == 3


def test_many_resources_outside_a_bound_model_are_read_one_by_one():
    # Given a datasource bound to no model (as upstream reads: one query per resource)
    model = _model(hosts=2, per_host=2)
    ds = CountingDatasource({("i1-1", "instance_ram_usage"): 64})
    values = ds.metric_values(list(model.instances.values()), "instance", "instance_ram_usage")
    # Then no batch was sent, each instance was its own query, and each has its value
    assert ds.batches == [] and ds.queries == 4
    assert {u: values[u] for u in model.instances} == {"i0-0": None, "i0-1": None,
                                                       "i1-0": None, "i1-1": 64}  # fmt: skip
