"""The metric vocabulary: the names a strategy may declare and a datasource may serve.

Part of the plugin contract: the registry refuses a strategy that declares a metric outside it
when the plugin loads, and every datasource answers in these names and units.
"""

HOST_METRICS = (
    "host_cpu_usage",  # % 0-100
    "host_ram_usage",  # KiB used
    "host_outlet_temp",  # °C
    "host_inlet_temp",  # °C
    "host_airflow",  # CFM (0.1 units)
    "host_power",  # W
)
INSTANCE_METRICS = (
    "instance_cpu_usage",  # % 0-100
    "instance_ram_usage",  # MB
    "instance_ram_allocated",  # MB
    "instance_l3_cache_usage",  # bytes
    "instance_root_disk_size",  # GB
)
METRICS = HOST_METRICS + INSTANCE_METRICS
