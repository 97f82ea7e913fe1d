"""A TCP proxy the test controls, to cut a service's database connections mid-transaction.

Services connect to the proxy's port (loopback, or the root end of a test's veth link);
:meth:`TcpProxy.cut` closes every open connection at once (as a network failure would) while
new connections keep working.
"""

from __future__ import annotations

import socket
import threading

from harness.processes import free_port


class TcpProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1",
                 listen_host: str = "127.0.0.1", port: int | None = None,
                 peer_timeout: int | None = None) -> None:  # fmt: skip
        """Listen on ``listen_host:port`` (a free loopback port by default). With
        ``peer_timeout``, a client that stops answering (its link cut) is declared gone after
        about that many seconds, by TCP keepalive and user timeout, and its upstream connection
        closed: what a server configured with those timeouts does with a vanished client."""
        self.upstream = (upstream_host, upstream_port)
        self.peer_timeout = peer_timeout
        self.port = port or free_port()
        self._listener = socket.create_server((listen_host, self.port))
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = False
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.peer_timeout:
                _detect_silent_peer(client, self.peer_timeout)
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, target):
                self._close(end)

    def _close(self, end: socket.socket) -> None:
        with self._lock:
            self._open.discard(end)
        try:
            end.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        end.close()

    def cut(self) -> int:
        """Close every open connection; returns how many were cut."""
        with self._lock:
            ends = list(self._open)
        for end in ends:
            self._close(end)
        self.cuts += 1
        return len(ends) // 2

    def stop(self) -> None:
        self._stopped = True
        self._listener.close()
        self.cut()


def _detect_silent_peer(sock: socket.socket, seconds: int) -> None:
    """Keepalive probes when idle, a user timeout when data waits unacknowledged."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, max(1, seconds // 2))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, max(1, seconds - seconds // 2))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, seconds * 1000)
