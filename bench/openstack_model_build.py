"""Model build through openstacksdk over HTTP (emulator) against the direct simulated read.

Both read the same simulated cloud; the ratio is the cost of the real path (Keystone, Nova,
Placement over HTTP, openstacksdk resources). Run:
``.venv/bin/python bench/openstack_model_build.py [hosts instances]`` (default 500 / 10,000).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from watcher_celery.cloud.emulator import serve
from watcher_celery.cloud.openstack import OpenStackCloud
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.decision_engine.collector import collect

CLOUDS = """clouds:
  bench:
    auth: {{auth_url: "{url}/identity/v3", username: admin, password: x, project_name: admin,
            user_domain_name: Default, project_domain_name: Default}}
    region_name: RegionOne
"""


def main(hosts: int = 500, instances: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sim = SimulatedCloud.create(Path(tmp) / "cloud.sqlite", 42, hosts, instances)
        server, url = serve(sim)
        config = Path(tmp) / "clouds.yaml"
        config.write_text(CLOUDS.format(url=url))
        os.environ["OS_CLIENT_CONFIG_FILE"] = str(config)
        try:
            start = time.perf_counter()
            direct = collect(sim, [])
            direct_s = time.perf_counter() - start
            start = time.perf_counter()
            through_sdk = collect(OpenStackCloud(cloud="bench"), [])
            sdk_s = time.perf_counter() - start
        finally:
            server.shutdown()
    assert len(through_sdk.instances) == len(direct.instances)
    print(f"{hosts} hosts / {instances} instances")
    print(f"simulated adapter: {direct_s:.2f} s")
    print(f"openstacksdk over HTTP (emulator): {sdk_s:.2f} s")
    print(f"ratio sdk/direct: {sdk_s / direct_s:.1f}")


if __name__ == "__main__":
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    main(*(int(a) for a in sys.argv[1:3]))
