"""Cluster model build time at 10,000 hosts / 200,000 instances from the simulated cloud.

Prints the generation time (once per store), the model build time with and without an audit
scope, the time to copy the model, the simulated datasource's time to read one metric for
every host, and the ratio of the build to the 10 s bound.
Run: ``.venv/bin/python bench/model_build.py [hosts instances]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.datasources.simulated import SimulatedDatasource
from watcher_celery.decision_engine.collector import collect

BOUND_S = 10.0


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main(hosts: int = 10_000, instances: int = 200_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cloud.sqlite"
        cloud, gen_s = timed(lambda: SimulatedCloud.create(path, 42, hosts, instances))
        print(f"generate {hosts} hosts / {instances} instances: {gen_s:.2f} s")
        model, build_s = timed(lambda: collect(cloud, []))
        print(
            f"build model (no scope): {build_s:.2f} s, {len(model.nodes)} nodes, "
            f"{len(model.instances)} instances; {build_s / BOUND_S:.2f} of the "
            f"{BOUND_S:.0f} s bound"
        )
        projects = sorted({i.project_id for i in model.instances.values()})[:5]
        scope = [
            {"availability_zones": [{"name": "az1"}, {"name": "az2"}]},
            {"exclude": [{"projects": [{"uuid": p} for p in projects]},
                         {"instance_metadata": [{"optimize": "false"}]}]},
        ]  # fmt: skip
        scoped, scoped_s = timed(lambda: collect(cloud, scope))
        excluded = sum(i.watcher_exclude for i in scoped.instances.values())
        print(
            f"build model (2 of 4 zones, projects and metadata excluded): {scoped_s:.2f} s, "
            f"{len(scoped.nodes)} nodes, {excluded} instances excluded"
        )
        _, copy_s = timed(model.copy)
        print(f"copy of the full model (what-if): {copy_s:.2f} s")
        ds = SimulatedDatasource(cloud)
        _, metric_s = timed(
            lambda: [ds.host_metric(n, "host_cpu_usage") for n in model.nodes.values()]
        )
        print(f"host_cpu_usage for every host (simulated datasource): {metric_s:.2f} s")
        print(f"ratio scoped/unscoped build: {scoped_s / build_s:.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
