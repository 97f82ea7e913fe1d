"""An OpenStack API emulator served from the simulated cloud (Keystone, Nova, Placement,
Cinder, Ironic, and ``/metrics`` for Prometheus), so the openstacksdk adapter and the whole
service can be exercised over real HTTP without a cloud.

``create_app(cloud)`` builds the Flask app; :func:`serve` runs it on a loopback port in a
thread; ``python -m watcher_celery.cloud.emulator`` runs it as a process.
"""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from watcher_celery.cloud.emulator import cinder, ironic, keystone, metrics, nova, placement
from watcher_celery.cloud.emulator.common import close_cloud


def create_app(cloud, fqdn_domain: str = "sim.local") -> Flask:
    app = Flask("watcher_celery.cloud.emulator")
    app.config.update(CLOUD_PATH=str(cloud.path), TOKENS=set(), FQDN_DOMAIN=fqdn_domain)
    app.teardown_appcontext(close_cloud)
    app.before_request(keystone.check_token)
    for module in (keystone, nova, placement, cinder, ironic, metrics):
        app.register_blueprint(module.bp)
    return app


def serve(cloud, host: str = "127.0.0.1", port: int = 0) -> tuple[BaseWSGIServer, str]:
    """Serve in a daemon thread; returns the server (``shutdown()`` it) and its base URL."""
    server = make_server(host, port, create_app(cloud), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_port}"
