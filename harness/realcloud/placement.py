"""A real Placement 16 behind the tier's Keystone: its own database, a WSGI process.

``start_placement`` only configures and starts the process; its database is created with
Nova's (``harness/realcloud/nova.py``), because the schemas are built and cached together.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.processes import free_port
from harness.realcloud.ini import write_ini
from harness.realcloud.keystone import Account, Keystone
from harness.realcloud.mariadb import MariaDB
from harness.realcloud.process import OpenStackProcess, answers


def placement_conf(home: Path, db: MariaDB, keystone: Keystone, account: Account) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    return write_ini(
        home / "placement.conf",
        {
            "DEFAULT": {"debug": False},
            "api": {"auth_strategy": "keystone"},
            "keystone_authtoken": keystone.authtoken_options(account),
            "placement_database": {"connection": db.url("placement")},
        },
    )


class Placement:
    """The Placement API; its URL is fixed before it starts (it needs its schema first)."""

    def __init__(self, bin_dir: Path, home: Path, log_dir: Path) -> None:
        self._args = (bin_dir, home, log_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: OpenStackProcess | None = None

    def start(self) -> None:
        bin_dir, home, log_dir = self._args
        env = {**os.environ, "OS_PLACEMENT_CONFIG_DIR": str(home)}
        self.process = OpenStackProcess.wsgi(
            "placement-api", bin_dir, "placement.wsgi.api:application", self.port, env, log_dir
        )

    def wait_ready(self, timeout: float = 180) -> None:
        self.process.wait_until(lambda: answers(self.url), timeout, "answer on /")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
