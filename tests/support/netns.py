"""Hosts for tests as Linux network namespaces: one namespace per host, joined to the root
namespace by a veth pair whose two addresses the test assigns (a /30 of a private /24 each).

A process runs "on" a host through ``ip netns exec`` plus its own UTS namespace, so its
``socket.gethostname()`` (what the applier records per action) is the host's name. The
services on 127.0.0.1 are reached through forwarders in the root namespace listening on the
host-side address of each link (``tcp_proxy.TcpProxy``). Cutting a host's link takes its
interface down inside the namespace: its open connections stop answering, as on a real cut.

Everything is named with one prefix so a crashed earlier run's leftovers can be removed.
Needs root (``ip netns add``).
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
from dataclasses import dataclass


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


@dataclass(frozen=True)
class Host:
    name: str
    namespace: str
    outside: str  # the root namespace's end of the link: where its forwarders listen
    inside: str  # the host's own address
    link: str  # the veth's name inside the namespace
    root_link: str  # its peer's, in the root namespace

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` run on this host, with the host's name as its hostname."""
        script = 'hostname "$0" && exec "$@"'
        return [
            "ip", "netns", "exec", self.namespace,
            "unshare", "--uts", "--", "sh", "-c", script, self.name, *argv,
        ]  # fmt: skip


class Lab:
    """Namespaces ``<prefix>-<host>`` on links ``<prefix><n>h`` (root) / ``<prefix><n>n``."""

    def __init__(self, prefix: str, subnet: str) -> None:
        self.prefix = prefix
        self.subnet = ipaddress.ip_network(subnet)
        self.hosts: list[Host] = []

    def remove_leftovers(self) -> None:
        """Namespaces and links of this prefix left by an earlier run that crashed: their
        processes (found by the namespace, so only that run's) are killed first."""
        for line in _ip("netns", "list").stdout.splitlines():
            namespace = line.split()[0] if line.strip() else ""
            if namespace.startswith(f"{self.prefix}-"):
                self._remove_namespace(namespace)
        for line in _ip("-o", "link", "show").stdout.splitlines():
            name = line.split(":")[1].strip().split("@")[0]
            if name.startswith(self.prefix):
                _ip("link", "del", name, check=False)
        routed = [
            line
            for line in _ip("-4", "route", "show").stdout.splitlines()
            if _overlaps(line.split()[0], self.subnet)
        ]
        if routed:
            raise RuntimeError(f"{self.subnet} is already routed on this machine: {routed}")

    def _remove_namespace(self, namespace: str) -> None:
        pids = _ip("netns", "pids", namespace, check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        _ip("netns", "del", namespace, check=False)

    def add_host(self, name: str) -> Host:
        index = len(self.hosts)
        base = self.subnet.network_address + 4 * index
        outside, inside = str(base + 1), str(base + 2)
        host = Host(
            name=name,
            namespace=f"{self.prefix}-{name}",
            outside=outside,
            inside=inside,
            link=f"{self.prefix}{index}n",
            root_link=f"{self.prefix}{index}h",
        )
        root_end = host.root_link
        _ip("netns", "add", host.namespace)
        self.hosts.append(host)
        _ip("link", "add", root_end, "type", "veth", "peer", "name", host.link,
            "netns", host.namespace)  # fmt: skip
        _ip("addr", "add", f"{outside}/30", "dev", root_end)
        _ip("link", "set", root_end, "up")
        _ip("-n", host.namespace, "addr", "add", f"{inside}/30", "dev", host.link)
        _ip("-n", host.namespace, "link", "set", host.link, "up")
        _ip("-n", host.namespace, "link", "set", "lo", "up")
        return host

    def cut(self, host: Host) -> None:
        """The host's link goes down: nothing in or out, its connections hang."""
        _ip("-n", host.namespace, "link", "set", host.link, "down")

    def remove(self) -> None:
        """Processes, namespaces and links. A link is deleted by name: a namespace (with its
        end of the link) lives on while closed sockets of a cut host still retransmit."""
        for host in reversed(self.hosts):
            self._remove_namespace(host.namespace)
            _ip("link", "del", host.root_link, check=False)
        self.hosts.clear()


def _overlaps(route: str, subnet: ipaddress.IPv4Network) -> bool:
    if route == "default":
        return False
    try:
        return ipaddress.ip_network(route, strict=False).overlaps(subnet)
    except ValueError:
        return False
