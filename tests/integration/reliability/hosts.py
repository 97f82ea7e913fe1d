"""A private deployment spread over several hosts (``tests/support/netns.py``): each host
reaches PostgreSQL and the deployment's broker through two forwarders listening on its link's
root-side address (ports 5432 and 6379), which pass to the services on 127.0.0.1."""

from __future__ import annotations

import uuid

from harness.processes import Service, wait_until_answers
from tests.support.deployment import Deployment
from tests.support.netns import Host, Lab
from tests.support.tcp_proxy import TcpProxy

PG_PORT, BROKER_PORT, API_PORT = 5432, 6379, 9322
# A host whose link is cut holds its open transactions' locks until the server notices it is
# gone: PostgreSQL and Redis do with TCP keepalive and user timeouts (docs/reliability.md);
# the forwarders stand for the servers here, and give up on a silent host after 4 s.
PEER_TIMEOUT = 4


class Site:
    """The hosts of one deployment, their forwarders and the services started on them."""

    def __init__(self, deploy: Deployment, lab: Lab, broker_port: int) -> None:
        self.deploy = deploy
        self.lab = lab
        self.broker_port = broker_port
        self.forwarders: list[TcpProxy] = []
        self.hosts: dict[str, Host] = {}

    def add_host(self, name: str) -> Host:
        host = self.lab.add_host(name)
        self.hosts[name] = host
        for listen, upstream in ((PG_PORT, 5432), (BROKER_PORT, self.broker_port)):
            self.forwarders.append(
                TcpProxy(upstream, listen_host=host.outside, port=listen, peer_timeout=PEER_TIMEOUT)
            )
        return host

    def env(self, host: Host, **extra: str) -> dict[str, str]:
        """The deployment's settings as seen from ``host``: through its own link."""
        env = dict(self.deploy.env)
        env["WATCHER_DATABASE_URL"] = env["WATCHER_DATABASE_URL"].replace(
            "127.0.0.1:5432", f"{host.outside}:{PG_PORT}"
        )
        broker = env["WATCHER_BROKER_URL"].replace(
            f"127.0.0.1:{self.broker_port}", f"{host.outside}:{BROKER_PORT}"
        )
        assert host.outside in env["WATCHER_DATABASE_URL"] and host.outside in broker
        env.update(WATCHER_BROKER_URL=broker, WATCHER_RESULT_BACKEND=broker)
        env.update(WATCHER_HOST=host.name, **extra)
        return env

    def start(self, name: str, role: str, **extra: str) -> Service:
        """``watcher-celery <role>`` on host ``name`` (not waited for)."""
        host = self.hosts[name]
        service = Service(role, self.env(host, **extra), self.deploy.log_dir, host.command)
        self.deploy.services.append(service)
        return service

    def api(self, name: str) -> tuple[str, dict[str, str]]:
        """The API on host ``name``, listening on the host's address: authentication on, as
        the API demands off loopback. Returns its URL and an admin's headers."""
        host, token = self.hosts[name], uuid.uuid4().hex
        service = self.start(
            name, "api", WATCHER_API_HOST=host.inside, WATCHER_API_PORT=str(API_PORT),
            WATCHER_AUTH="tokens", WATCHER_AUTH_TOKENS=f"{token}:admin",
        )  # fmt: skip
        base = f"http://{host.inside}:{API_PORT}"
        wait_until_answers(service, base + "/")
        return base, {"X-Auth-Token": token}

    def stop(self) -> None:
        for forwarder in self.forwarders:
            forwarder.stop()
        self.forwarders.clear()
