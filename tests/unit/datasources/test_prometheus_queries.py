"""The Prometheus datasource builds upstream's PromQL with the configured labels."""

from __future__ import annotations

from watcher_celery.datasources.prometheus import PrometheusDatasource
from watcher_celery.decision_engine.model import Instance

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
