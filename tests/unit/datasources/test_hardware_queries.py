"""The PromQL of the hardware metrics: one resource (upstream style) and a batch alike."""

from __future__ import annotations

from watcher_celery.datasources.hardware import hardware_entries, hardware_queries


def test_one_host_and_a_batch_share_the_template_with_the_sensor_match_and_scale():
    airflow = hardware_queries(hardware_entries())["host_airflow"]
    assert airflow.one("fqdn", "c1.example", "mean", 300, None) == (
        'max by (fqdn)(avg_over_time(ipmi_sensor_value{name=~"(?i).*airflow.*",'
        "fqdn='c1.example'}[300s])) * 10.0"
    )
    assert airflow.many("fqdn", ["a", "b"], "max", 60) == (
        'max by (fqdn)(max_over_time(ipmi_sensor_value{name=~"(?i).*airflow.*",'
        'fqdn=~"a|b"}[60s])) * 10.0'
    )


def test_configured_series_replace_the_default_key_by_key():
    entries = hardware_entries('{"host_power": {"series": "node_power_watts"}}')
    assert entries["host_power"] == {"series": "node_power_watts", "reduce": "sum"}
    power = hardware_queries(entries)["host_power"]
    assert power.one("fqdn", "h", "mean", 30, None) == (
        "sum by (fqdn)(avg_over_time(node_power_watts{fqdn='h'}[30s]))"
    )
    assert hardware_queries(entries)["instance_l3_cache_usage"].label == "instance"
