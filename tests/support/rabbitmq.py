"""A private RabbitMQ virtual host on the machine's broker, created and deleted by the test.

The server (127.0.0.1:5672, guest/guest) is shared and never reconfigured: only the vhost is
ours, so queues of different runs never meet.
"""

from __future__ import annotations

import subprocess
import uuid


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


class RabbitVhost:
    def __init__(self) -> None:
        self.name = f"wc_outbox_{uuid.uuid4().hex[:10]}"

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:5672/{self.name}"

    def create(self) -> RabbitVhost:
        _ctl("add_vhost", self.name)
        _ctl("set_permissions", "-p", self.name, "guest", ".*", ".*", ".*")
        return self

    def delete(self) -> None:
        _ctl("delete_vhost", self.name)
