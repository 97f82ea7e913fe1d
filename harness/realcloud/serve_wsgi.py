"""Serve one OpenStack WSGI application on a loopback port, threaded.

Run by the OpenStack venv's Python, never imported by the suite:
``python serve_wsgi.py keystone.wsgi.api:application 127.0.0.1 5000``. OpenStack's WSGI entry
points parse ``sys.argv`` with oslo.config when imported, so this runner's own arguments are
cleared first (left in place, Keystone and Nova refuse to start). The configuration directory
comes from the service's environment variable (``OS_KEYSTONE_CONFIG_DIR`` and the like).
"""

import importlib
import sys


def main() -> None:
    target, host, port = sys.argv[1:4]
    del sys.argv[1:]
    module_name, _, attribute = target.partition(":")
    application = getattr(importlib.import_module(module_name), attribute)

    from werkzeug.serving import make_server

    server = make_server(host, int(port), application, threaded=True)
    print(f"serving {target} on http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
