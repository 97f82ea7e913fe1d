"""Run the emulator as a process: ``python -m watcher_celery.cloud.emulator [--port N]``.

It serves the simulated cloud the settings name (``WATCHER_SIM_PATH``, created from the seed
settings if missing), so the API, the workers and the emulator all share one cloud.
"""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from watcher_celery.cloud.emulator import create_app
from watcher_celery.cloud.factory import open_simulated
from watcher_celery.config import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--fqdn-domain", default="sim.local")
    args = parser.parse_args()
    app = create_app(open_simulated(get_settings()), args.fqdn_domain)
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
