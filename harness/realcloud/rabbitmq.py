"""The tier's own RabbitMQ vhost and user for Nova's RPC, made and removed with rabbitmqctl.

Both are named after the run's prefix; ``close()`` deletes them (which drops every queue and
exchange Nova declared). Nothing else on the broker is read or changed.
"""

from __future__ import annotations

import secrets
import subprocess


def _rabbitmqctl(*args: str) -> None:
    result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, check=False)
    if result.returncode:
        raise RuntimeError(
            f"rabbitmqctl {' '.join(args[:2])} failed: {result.stderr.decode(errors='replace')}"
        )


class RabbitVhost:
    """A vhost and a user allowed on it alone."""

    def __init__(self, prefix: str, host: str = "127.0.0.1", port: int = 5672) -> None:
        self.vhost = prefix
        self.user = prefix
        self.password = secrets.token_hex(12)
        self.host = host
        self.port = port
        _rabbitmqctl("add_vhost", self.vhost)
        try:
            _rabbitmqctl("add_user", self.user, self.password)
            _rabbitmqctl("set_permissions", "-p", self.vhost, self.user, ".*", ".*", ".*")
        except BaseException:
            self.close()
            raise

    @property
    def transport_url(self) -> str:
        """oslo.messaging's URL for this vhost."""
        return f"rabbit://{self.user}:{self.password}@{self.host}:{self.port}/{self.vhost}"

    def close(self) -> None:
        for args in (("delete_user", self.user), ("delete_vhost", self.vhost)):
            try:
                _rabbitmqctl(*args)
            except RuntimeError as exc:
                if "does not exist" not in str(exc):
                    raise
