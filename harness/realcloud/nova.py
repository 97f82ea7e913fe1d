"""A real multi-process Nova 34: API (WSGI), conductor, scheduler and sized fake computes.

Every process runs from ``.venv-openstack`` in Nova's native-threading mode, talks RPC over
the run's own RabbitMQ vhost, keeps its state in the run's MariaDB databases (``nova_api``,
``nova`` = cell1, ``nova_cell0``) and authenticates through the tier's Keystone. Computes run
``sized_fake.SizedFakeDriver`` (``harness/realcloud/nova_virt/``), each with its own size and
``state_path``; they are started once the conductor runs (an earlier first RPC can time out)
and appear in ``os-hypervisors`` when the scheduler maps them (every 2 s here).

The schemas of Nova's three databases and Placement's are built together by ``nova-manage``
/ ``placement-manage`` and cached (``MariaDB.create_from_cache``); a restored ``nova_api``
names the databases and vhost of the run that built it, so its cell mappings are rewritten.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from harness.processes import free_port
from harness.realcloud.ini import write_ini
from harness.realcloud.keystone import Account, Keystone
from harness.realcloud.mariadb import MariaDB
from harness.realcloud.process import OpenStackProcess, answers, run_command, stop_all
from harness.realcloud.rabbitmq import RabbitVhost
from harness.realcloud.venv import OPENSTACK_VENV, schema_cache_dir

DATABASES = ["nova_api", "nova", "nova_cell0", "placement"]
CELL0_UUID = "00000000-0000-0000-0000-000000000000"
# The last microversion whose os-hypervisors/detail still reports vcpus and memory.
HYPERVISOR_STATS_MICROVERSION = "2.87"


@dataclass(frozen=True)
class ComputeHost:
    """A fake hypervisor's name and size."""

    host: str
    vcpus: int
    memory_mb: int
    local_gb: int


def nova_conf(
    home: Path,
    rabbit: RabbitVhost,
    keystone: Keystone,
    account: Account,
) -> dict[str, dict[str, object]]:
    """The settings every Nova process shares (no database: computes must not have one)."""
    service_auth = keystone.password_auth_options(account)
    return {
        "DEFAULT": {
            "debug": False,
            "transport_url": rabbit.transport_url,
            "concurrency_backend": "threading",
            "compute_driver": "sized_fake.SizedFakeDriver",
            "state_path": home / "state",
            "instances_path": home / "instances",
            "my_ip": "127.0.0.1",
            "periodic_fuzzy_delay": 0,
            "heal_instance_info_cache_interval": -1,
            "vif_plugging_timeout": 0,
            "vif_plugging_is_fatal": False,
        },
        "api": {"auth_strategy": "keystone"},
        "keystone_authtoken": keystone.authtoken_options(account),
        "placement": service_auth,
        "neutron": service_auth,
        "glance": {"valid_interfaces": "public", "region_name": service_auth["region_name"]},
        "scheduler": {"discover_hosts_in_cells_interval": 2, "workers": 1},
        "conductor": {"workers": 1},
        "quota": {"instances": -1, "cores": -1, "ram": -1},
        "oslo_concurrency": {"lock_path": home / "locks"},
        "oslo_messaging_notifications": {"driver": "noop"},
    }


class Nova:
    """Nova's processes, configured in ``home``; URLs are fixed before anything starts."""

    def __init__(
        self,
        bin_dir: Path,
        home: Path,
        log_dir: Path,
        db: MariaDB,
        rabbit: RabbitVhost,
        keystone: Keystone,
        account: Account,
    ) -> None:
        self.bin_dir = bin_dir
        self.home = home
        self.log_dir = log_dir
        self.db = db
        self.rabbit = rabbit
        self.keystone = keystone
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v2.1"
        self.processes: dict[str, OpenStackProcess] = {}
        home.mkdir(parents=True, exist_ok=True)
        self.conf = write_ini(home / "nova.conf", nova_conf(home, rabbit, keystone, account))
        self.db_conf = write_ini(
            home / "nova-db.conf",
            {
                "api_database": {"connection": db.url("nova_api")},
                "database": {"connection": db.url("nova")},
            },
        )
        paste = OPENSTACK_VENV / "etc" / "nova" / "api-paste.ini"
        shutil.copy(paste, home / "api-paste.ini")

    # -- schemas ------------------------------------------------------------------------

    def _manage(self, name: str, *args: str, db_conf: Path | None = None) -> None:
        argv = [str(self.bin_dir / "nova-manage"), "--config-file", str(self.conf)]
        argv += ["--config-file", str(db_conf or self.db_conf), *args]
        run_command(name, argv, self.log_dir)

    def create_schemas(self, placement_conf: Path) -> bool:
        """Create Nova's and Placement's databases (from the cache when it has them).

        Returns True when they came from the cache.
        """
        digest = hashlib.sha256((Path(__file__).parent / "requirements.txt").read_bytes())
        cache = schema_cache_dir() / f"nova-{digest.hexdigest()[:16]}-v1"
        cell0_conf = write_ini(
            self.home / "nova-cell0-db.conf",
            {"database": {"connection": self.db.url("nova_cell0")}},
        )
        built = []

        def build() -> str:
            placement_sync = [
                str(self.bin_dir / "placement-manage"), "--config-file", str(placement_conf),
                "db", "sync",
            ]  # fmt: skip
            with ThreadPoolExecutor(4) as pool:
                jobs = [
                    pool.submit(self._manage, "nova-manage-api_db-sync", "api_db", "sync"),
                    pool.submit(self._manage, "nova-manage-db-sync", "db", "sync", "--local_cell"),
                    pool.submit(self._manage, "nova-manage-db-sync-cell0", "db", "sync",
                                "--local_cell", db_conf=cell0_conf),
                    pool.submit(run_command, "placement-manage-db-sync", placement_sync,
                                self.log_dir),
                ]  # fmt: skip
                for job in jobs:
                    job.result()
            self._manage(
                "nova-manage-map_cell0", "cell_v2", "map_cell0",
                "--database_connection", self.db.url("nova_cell0"),
            )  # fmt: skip
            self._manage("nova-manage-create_cell", "cell_v2", "create_cell", "--name", "cell1")
            built.append(True)
            return "nova and placement schemas"

        self.db.create_from_cache(DATABASES, cache, build)
        self._point_cells_here()
        return not built

    def _point_cells_here(self) -> None:
        cell0, cell1 = self.db.url("nova_cell0"), self.db.url("nova")
        self.db.execute(
            "nova_api",
            f"UPDATE cell_mappings SET database_connection = '{cell0}' "
            f"WHERE uuid = '{CELL0_UUID}';"
            f"UPDATE cell_mappings SET database_connection = '{cell1}', "
            f"transport_url = '{self.rabbit.transport_url}' WHERE uuid <> '{CELL0_UUID}';",
        )

    # -- processes ----------------------------------------------------------------------

    def _service(self, name: str, script: str, *conf_files: Path) -> OpenStackProcess:
        argv = [str(self.bin_dir / script)]
        for conf in conf_files:
            argv += ["--config-file", str(conf)]
        process = OpenStackProcess(name, argv, {**os.environ}, self.log_dir)
        self.processes[name] = process
        return process

    def start_control_plane(self) -> None:
        """The API, the conductor and the scheduler."""
        env = {
            **os.environ,
            "OS_NOVA_CONFIG_DIR": str(self.home),
            "OS_NOVA_CONFIG_FILES": "api-paste.ini;nova.conf;nova-db.conf",
        }
        self.processes["nova-api"] = OpenStackProcess.wsgi(
            "nova-api", self.bin_dir, "nova.wsgi.osapi_compute:application", self.port, env,
            self.log_dir,
        )  # fmt: skip
        self._service("nova-conductor", "nova-conductor", self.conf, self.db_conf)
        self._service("nova-scheduler", "nova-scheduler", self.conf, self.db_conf)

    def start_compute(self, compute: ComputeHost) -> OpenStackProcess:
        state = self.home / compute.host
        state.mkdir(exist_ok=True)
        conf = write_ini(
            self.home / f"{compute.host}.conf",
            {
                "DEFAULT": {"host": compute.host, "state_path": state},
                "sized_fake": {
                    "vcpus": compute.vcpus,
                    "memory_mb": compute.memory_mb,
                    "local_gb": compute.local_gb,
                },
            },
        )
        return self._service(f"nova-compute-{compute.host}", "nova-compute", self.conf, conf)

    # -- readiness ----------------------------------------------------------------------

    def get(self, path: str, microversion: str = HYPERVISOR_STATS_MICROVERSION) -> dict:
        """A Nova API GET as the Keystone admin."""
        response = requests.get(
            f"{self.url}{path}",
            headers={
                "X-Auth-Token": self.keystone.admin_token(),
                "OpenStack-API-Version": f"compute {microversion}",
            },
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def _all_alive(self) -> None:
        for process in self.processes.values():
            process.check_alive()

    def wait_conductor_started(self, timeout: float = 240) -> None:
        """Until the conductor's worker runs: it consumes its queue right after, before a
        compute started now has finished importing Nova and sends its first RPC."""
        conductor = self.processes["nova-conductor"]
        conductor.wait_until(lambda: "Starting conductor node" in conductor.log(), timeout, "start")

    def wait_control_plane(self, timeout: float = 240) -> None:
        api = self.processes["nova-api"]
        api.wait_until(lambda: answers(self.url.removesuffix("/v2.1") + "/"), timeout, "answer")

        def up() -> bool:
            self._all_alive()
            services = self.get("/os-services")["services"]
            running = {s["binary"] for s in services if s["state"] == "up"}
            return {"nova-conductor", "nova-scheduler"} <= running

        api.wait_until(up, timeout, "conductor and scheduler up")

    def wait_hypervisors(self, hosts: list[str], timeout: float = 240) -> None:
        """Until every host is a hypervisor (mapped by the scheduler) that is up."""

        def mapped() -> bool:
            self._all_alive()
            hypervisors = self.get("/os-hypervisors/detail")["hypervisors"]
            up = {h["service"]["host"] for h in hypervisors if h["state"] == "up"}
            return set(hosts) <= up

        self.processes["nova-api"].wait_until(mapped, timeout, f"hypervisors {hosts}")

    def stop(self) -> None:
        """Every process by its PID: SIGTERM together, SIGKILL what is left after 10 s."""
        stop_all(list(self.processes.values()))
        self.processes.clear()


__all__ = ["ComputeHost", "Nova"]
