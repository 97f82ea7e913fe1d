"""The whole real cloud of the tier, started in order, and what tests check in it.

``running_cloud(db, keystone, work_dir, rabbit)`` yields a :class:`RealCloud`: on the given
Keystone (``harness/realcloud/keystone.py``), Placement, Ironic with one powered-on node per
compute (``harness/realcloud/ironic.py``), Nova's
API/conductor/scheduler and three computes of different sizes (``HOSTS``), the fake image
and network services, the flavors of ``FLAVORS`` and a ``clouds.yaml`` with three entries:
``admin`` (the bootstrapped admin), ``watcher`` (admin role on project ``service``, what the
service under test uses) and ``demo`` (member of project ``demo``). Each piece is stopped by
its PID and the run's vhost is deleted on exit; the caller stops Keystone and drops the
databases.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness.realcloud.fake_image_network import IMAGE_ID, FakeImageNetwork
from harness.realcloud.ironic import Ironic
from harness.realcloud.keystone import Keystone
from harness.realcloud.mariadb import MariaDB
from harness.realcloud.nova import ComputeHost, Nova
from harness.realcloud.placement import Placement, placement_conf
from harness.realcloud.process import elapsed
from harness.realcloud.rabbitmq import RabbitVhost
from harness.realcloud.venv import ensure_openstack_venv

# Different sizes, so a consolidation has a choice and a big flavor fits nowhere.
HOSTS = [
    ComputeHost("compute-1", vcpus=4, memory_mb=8192, local_gb=100),
    ComputeHost("compute-2", vcpus=8, memory_mb=16384, local_gb=200),
    ComputeHost("compute-3", vcpus=16, memory_mb=32768, local_gb=400),
]
# name: (vcpus, ram MB, disk GB); m1.giant fits on no host (the largest has 32 GB).
FLAVORS = {
    "m1.tiny": (1, 512, 1),
    "m1.small": (1, 2048, 10),
    "m1.medium": (2, 4096, 20),
    "m1.large": (4, 8192, 40),
    "m1.giant": (8, 65536, 40),
}


class RealCloud:
    """Handles on the running services and the accounts and files tests use."""

    def __init__(self, work_dir: Path, keystone: Keystone) -> None:
        self.work_dir = work_dir
        self.keystone = keystone
        self.placement: Placement | None = None
        self.nova: Nova | None = None
        self.ironic: Ironic | None = None
        self.fake: FakeImageNetwork | None = None
        self.rabbit: RabbitVhost | None = None
        self.clouds_yaml = work_dir / "clouds.yaml"
        self.image_id = IMAGE_ID
        self.hosts = HOSTS
        self.startup_seconds: dict[str, float] = {}

    def memory_mb(self) -> dict[str, float]:
        """Resident memory of every OpenStack process of the tier, by name (MB)."""
        processes = {"keystone": self.keystone.process}
        if self.placement is not None and self.placement.process is not None:
            processes["placement-api"] = self.placement.process
        if self.nova is not None:
            processes.update(self.nova.processes)
        if self.ironic is not None and self.ironic.process is not None:
            processes["ironic"] = self.ironic.process
        return {name: round(process.rss_mb()) for name, process in processes.items()}

    def stop(self) -> None:
        for part in (self.nova, self.ironic, self.placement, self.fake, self.rabbit):
            if part is None:
                continue
            try:
                part.close() if isinstance(part, RabbitVhost) else part.stop()
            except Exception as exc:  # keep stopping the others
                print(f"stopping {type(part).__name__} failed: {exc}")


def start_cloud(db: MariaDB, keystone: Keystone, work_dir: Path, rabbit: RabbitVhost) -> RealCloud:
    """Start everything on ``keystone``; ``rabbit`` (the run's vhost) is deleted with it."""
    started = time.monotonic()
    cloud = RealCloud(work_dir, keystone)
    cloud.rabbit = rabbit
    try:
        _start(cloud, db, work_dir, started)
    except BaseException:
        cloud.stop()
        raise
    return cloud


def _start(cloud: RealCloud, db: MariaDB, work_dir: Path, started: float) -> None:
    timings, keystone = cloud.startup_seconds, cloud.keystone
    bin_dir = ensure_openstack_venv()
    log_dir = work_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    home = work_dir / "openstack"
    placement_home = home / "placement"

    nova_user = keystone.create_user("nova", "service", roles=["admin", "service"])
    placement_user = keystone.create_user("placement", "service", roles=["admin", "service"])
    ironic_user = keystone.create_user("ironic", "service", roles=["admin", "service"])
    watcher = keystone.create_user("watcher", "service", roles=["admin"])
    demo = keystone.create_user("demo", "demo", roles=["member"])
    keystone.write_clouds_yaml(
        cloud.clouds_yaml, {"admin": keystone.admin, "watcher": watcher, "demo": demo}
    )
    cloud.fake = FakeImageNetwork()
    conf = placement_conf(placement_home, db, keystone, placement_user)
    timings["accounts"] = elapsed(started)

    nova = cloud.nova = Nova(bin_dir, home / "nova", log_dir, db, cloud.rabbit, keystone, nova_user)
    placement = cloud.placement = Placement(bin_dir, placement_home, log_dir)
    ironic = cloud.ironic = Ironic(bin_dir, home / "ironic", log_dir)
    ironic.configure(db, keystone, ironic_user)
    for service_type, name, url in (
        ("placement", "placement", placement.url),
        ("baremetal", "ironic", ironic.url),
        ("compute", "nova", nova.url),
        ("image", "glance", cloud.fake.image_url),
        ("network", "neutron", cloud.fake.network_url),
    ):
        keystone.register_service(service_type, name, url)

    schema_started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        ironic_schema = pool.submit(ironic.create_schema, db)
        timings["schemas_from_cache"] = float(nova.create_schemas(conf))
        ironic_schema.result()
    timings["schemas"] = elapsed(schema_started)

    placement.start()
    ironic.start()
    nova.start_control_plane()
    nova.wait_conductor_started()
    for host in HOSTS:
        nova.start_compute(host)
    placement.wait_ready()
    nova.wait_control_plane()
    timings["control_plane"] = elapsed(started)
    nova.wait_hypervisors([h.host for h in HOSTS])
    timings["computes"] = elapsed(started)
    ironic.wait_ready()
    for host in HOSTS:
        ironic.create_powered_on_node(host.host)
    timings["ironic_nodes"] = elapsed(started)
    _create_flavors(nova)
    timings["total"] = elapsed(started)


def _create_flavors(nova: Nova) -> None:
    import requests

    for name, (vcpus, ram, disk) in FLAVORS.items():
        body = {"flavor": {"name": name, "vcpus": vcpus, "ram": ram, "disk": disk}}
        response = requests.post(
            f"{nova.url}/flavors",
            json=body,
            headers={"X-Auth-Token": nova.keystone.admin_token()},
            timeout=30,
        )
        response.raise_for_status()


@contextlib.contextmanager
def running_cloud(
    db: MariaDB, keystone: Keystone, work_dir: Path, rabbit: RabbitVhost
) -> Iterator[RealCloud]:
    cloud = start_cloud(db, keystone, work_dir, rabbit)
    try:
        yield cloud
    finally:
        cloud.stop()
