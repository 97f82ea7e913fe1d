"""The Prometheus datasource builds upstream's PromQL with the configured labels."""

from __future__ import annotations

from watcher_celery.datasources.prometheus import PrometheusDatasource
from watcher_celery.model import Instance

VM = Instance(uuid="u-1", name="vm", vcpus=4, memory=2048, disk=20)


def test_instance_queries_use_the_configured_label_and_vcpus():
    ds = PrometheusDatasource("http://127.0.0.1:9", fqdn_label="host", instance_label="vm_uuid")
    cpu = ds.build_query(VM, "instance_cpu_usage", 600, "max")
    assert cpu == (
        "clamp_max((max by (vm_uuid)(rate(ceilometer_cpu{vm_uuid='u-1'}[600s]))/10e+8)"
        " *(100/4), 100)"
    )
    ram = ds.build_query(VM, "instance_ram_usage", 300, "count")
    assert ram == "avg_over_time(ceilometer_memory_usage{vm_uuid='u-1'}[300s])"


def test_metrics_without_a_prometheus_source_are_not_offered():
    ds = PrometheusDatasource("http://127.0.0.1:9")
    assert not ds.supports(["host_power"]) and ds.supports(["host_cpu_usage", "host_ram_usage"])
    assert ds.build_query(VM, "instance_l3_cache_usage", 300, "mean") is None


def test_batched_query_is_upstreams_template_with_a_regex_set_or_every_series():
    from watcher_celery.datasources.promql import QUERIES

    spec = QUERIES["host_ram_usage"]
    assert spec.many("fqdn", ["a.example.org", "b"], "max", 600) == (
        '(node_memory_MemTotal_bytes{fqdn=~"a\\\\.example\\\\.org|b"} - min_over_time('
        'node_memory_MemAvailable_bytes{fqdn=~"a\\\\.example\\\\.org|b"}[600s])) / 1024'
    )
    assert spec.one("fqdn", "a.example.org", "max", 600, None) == (
        "(node_memory_MemTotal_bytes{fqdn='a.example.org'} - min_over_time("
        "node_memory_MemAvailable_bytes{fqdn='a.example.org'}[600s])) / 1024"
    )
    every = QUERIES["instance_cpu_usage"].many("resource", None, "mean", 300)
    assert every == 'avg by (resource)(rate(ceilometer_cpu{resource!=""}[300s]))/10e+8'


def test_instance_cpu_is_scaled_by_vcpus_and_clamped_like_upstreams_promql():
    from watcher_celery.datasources.promql import QUERIES

    finish = QUERIES["instance_cpu_usage"].finish
    assert finish(1.0, VM) == 25.0  # one core busy of 4
    assert finish(8.0, VM) == 100.0
    assert finish(float("nan"), VM) != finish(float("nan"), VM)  # NaN stays NaN, as clamp_max


def test_label_values_are_chunked_under_the_byte_budget_one_value_at_least():
    from watcher_celery.datasources.promql import chunks

    values = [f"uuid-{k:04d}" for k in range(100)]
    parts = list(chunks(values, 130))
    assert [v for part in parts for v in part] == values
    assert all(len("%7C".join(part)) <= 130 for part in parts) and len(parts) > 1
    assert list(chunks(["x" * 500], 10)) == [["x" * 500]]
