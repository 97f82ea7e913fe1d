"""A real Ironic 39 behind the tier's Keystone: one all-in-one ``ironic`` process (API and
conductor, ``rpc_transport = none``) with the ``fake-hardware`` type, one node per compute.

Power on/off is real Ironic work (the conductor's power-state change, 202 then the new state),
on fake power interfaces. Nodes are named after the compute host they stand for, with
``extra.hypervisor_hostname`` set as the service's adapter reads it. The schema comes from
``ironic-dbsync create_schema`` once, then from the cache. Legacy policy defaults (no scope
checks), so a project admin sees every node as Watcher's account does in most clouds.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import requests

from harness.processes import free_port, wait_for
from harness.realcloud.ini import write_ini
from harness.realcloud.keystone import Account, Keystone
from harness.realcloud.mariadb import MariaDB
from harness.realcloud.process import OpenStackProcess, answers, run_command
from harness.realcloud.venv import schema_cache_dir

FAKE_INTERFACES = (
    "boot", "deploy", "management", "power", "vendor", "bios", "console", "inspect", "raid",
    "rescue", "firmware",
)  # fmt: skip
MICROVERSION = "1.80"


class Ironic:
    """The Ironic process; its URL is fixed before it starts."""

    def __init__(self, bin_dir: Path, home: Path, log_dir: Path) -> None:
        self.bin_dir, self.home, self.log_dir = bin_dir, home, log_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: OpenStackProcess | None = None
        self.keystone: Keystone | None = None
        home.mkdir(parents=True, exist_ok=True)

    def configure(self, db: MariaDB, keystone: Keystone, account: Account) -> None:
        self.keystone = keystone
        defaults = {
            "debug": False,
            "auth_strategy": "keystone",
            "rpc_transport": "none",
            "host": "ironic-1",
            "enabled_hardware_types": "fake-hardware",
            "enabled_network_interfaces": "noop",
            "enabled_storage_interfaces": "noop",
        }
        defaults.update({f"enabled_{name}_interfaces": "fake" for name in FAKE_INTERFACES})
        self.conf = write_ini(
            self.home / "ironic.conf",
            {
                "DEFAULT": defaults,
                "api": {"host_ip": "127.0.0.1", "port": self.port},
                "database": {"connection": db.url("ironic")},
                "keystone_authtoken": keystone.authtoken_options(account),
                "dhcp": {"dhcp_provider": "none"},
                "conductor": {"automated_clean": False},
                "oslo_policy": {"enforce_new_defaults": False, "enforce_scope": False},
            },
        )

    def create_schema(self, db: MariaDB) -> bool:
        """The database, from the cache when it has it; True when it did."""
        digest = hashlib.sha256((Path(__file__).parent / "requirements.txt").read_bytes())
        cache = schema_cache_dir() / f"ironic-{digest.hexdigest()[:16]}-v1"
        built = []

        def build() -> str:
            argv = [str(self.bin_dir / "ironic-dbsync"), "--config-file", str(self.conf)]
            run_command("ironic-dbsync", [*argv, "create_schema"], self.log_dir)
            built.append(True)
            return "ironic schema"

        db.create_from_cache(["ironic"], cache, build)
        return not built

    def start(self) -> None:
        argv = [str(self.bin_dir / "ironic"), "--config-file", str(self.conf)]
        self.process = OpenStackProcess("ironic", argv, {**os.environ}, self.log_dir)

    def wait_ready(self, timeout: float = 180) -> None:
        self.process.wait_until(lambda: answers(self.url), timeout, "answer on /")

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        response = requests.request(
            method,
            f"{self.url}/v1{path}",
            json=body,
            headers={
                "X-Auth-Token": self.keystone.admin_token(),
                "X-OpenStack-Ironic-API-Version": MICROVERSION,
            },
            timeout=60,
        )
        if response.status_code >= 400:
            raise RuntimeError(f"Ironic {method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else {}

    def node(self, name: str) -> dict:
        return self.request("GET", f"/nodes/{name}")

    def create_powered_on_node(self, hostname: str) -> str:
        """A fake-hardware node standing for compute ``hostname``, powered on; its uuid."""
        body = {
            "name": hostname,
            "driver": "fake-hardware",
            "extra": {"hypervisor_hostname": hostname},
        }
        uuid = self.request("POST", "/nodes", body)["uuid"]
        self.set_power(uuid, on=True)
        return uuid

    def set_power(self, node: str, on: bool) -> None:
        target = "power on" if on else "power off"
        self.request("PUT", f"/nodes/{node}/states/power", {"target": target})
        wait_for(lambda: self.node(node)["power_state"] == target, 60, f"{node} {target}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
