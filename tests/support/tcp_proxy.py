"""A TCP proxy the test controls, to cut a service's database connections mid-transaction.

Services connect to the proxy's loopback port; :meth:`TcpProxy.cut` closes every open
connection at once (as a network failure would) while new connections keep working.
"""

from __future__ import annotations

import socket
import threading

from harness.processes import free_port


class TcpProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
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
