"""The two services Nova calls that the tier does not run: one image and an empty network.

Nova needs an image to boot from (Glance v2: the image, and the schema glanceclient builds
its model from) and calls Neutron on create, migrate and delete. Servers are booted with
``networks='none'``, so every Neutron GET answers an empty list (``{"ports": []}``) and
every write an empty object. One threaded HTTP server in the test process serves both:
``/image`` and ``/network``.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IMAGE_ID = "155d900f-4e14-4e4c-a73d-069cbf4541e6"

IMAGE = {
    "id": IMAGE_ID,
    "name": "cirros-fake",
    "status": "active",
    "visibility": "public",
    "protected": False,
    "os_hidden": False,
    "disk_format": "raw",
    "container_format": "bare",
    "size": 1048576,
    "virtual_size": 1048576,
    "min_disk": 0,
    "min_ram": 0,
    "checksum": "0" * 32,
    "owner": None,
    "tags": [],
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
    "self": f"/v2/images/{IMAGE_ID}",
    "file": f"/v2/images/{IMAGE_ID}/file",
    "schema": "/v2/schemas/image",
}

IMAGE_SCHEMA = {
    "name": "image",
    "properties": {
        name: {"type": ["null", "string", "integer", "boolean", "array", "object"]}
        for name in IMAGE
    },
    "additionalProperties": {"type": "string"},
    "links": [],
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drain(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    def do_GET(self):  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.startswith("/image"):
            self._image(path.removeprefix("/image"))
        elif path.startswith("/network"):
            self._network_list(path.removeprefix("/network"))
        else:
            self._send(404, {"error": path})

    def _image(self, path: str) -> None:
        if path in ("", "/v2"):
            version = {"id": "v2.16", "status": "CURRENT", "links": []}
            self._send(200, {"versions": [version]})
        elif path == "/v2/schemas/image":
            self._send(200, IMAGE_SCHEMA)
        elif path == "/v2/images":
            self._send(200, {"images": [IMAGE], "schema": "/v2/schemas/images"})
        elif path == f"/v2/images/{IMAGE_ID}":
            self._send(200, IMAGE)
        else:
            self._send(404, {"message": f"No image at {path}"})

    def _network_list(self, path: str) -> None:
        if path in ("", "/v2.0"):
            version = {"id": "v2.0", "status": "CURRENT", "links": []}
            self._send(200, {"versions": [version]})
            return
        collection = path.rsplit("/", 1)[-1].removesuffix(".json")
        self._send(200, {collection: []})

    def do_POST(self):  # noqa: N802
        self._drain()
        self._send(201, {"id": str(uuid.uuid4())})

    def do_PUT(self):  # noqa: N802
        self._drain()
        self._send(200, {})

    def do_DELETE(self):  # noqa: N802
        self._drain()
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


class FakeImageNetwork:
    """The server, on a free loopback port, in a daemon thread of this process."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.image_url = f"http://127.0.0.1:{port}/image"
        self.network_url = f"http://127.0.0.1:{port}/network"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
