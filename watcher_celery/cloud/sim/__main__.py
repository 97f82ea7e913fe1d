"""Command line for the simulated cloud the settings name (``WATCHER_SIM_PATH``).

``python -m watcher_celery.cloud.sim export > cluster.json``  the cluster as JSON (docs/cloud.md)
``python -m watcher_celery.cloud.sim import cluster.json``    replace the cloud with a cluster
``python -m watcher_celery.cloud.sim fail OPERATION [--resource R] [--phase start|complete]``
``python -m watcher_celery.cloud.sim summary``                sizes and in-flight operations
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from watcher_celery.cloud.factory import open_simulated
from watcher_celery.cloud.simulated import OPERATIONS
from watcher_celery.config import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m watcher_celery.cloud.sim")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("export")
    sub.add_parser("summary")
    load = sub.add_parser("import")
    load.add_argument("file", type=Path)
    fail = sub.add_parser("fail")
    fail.add_argument("operation", choices=OPERATIONS)
    fail.add_argument("--resource", default="*")
    fail.add_argument("--phase", choices=("start", "complete"), default="start")
    fail.add_argument("--message")
    fail.add_argument("--times", type=int, default=1)
    args = parser.parse_args(argv)
    cloud = open_simulated(get_settings())
    if args.command == "export":
        json.dump(cloud.export_json(), sys.stdout)
        sys.stdout.write("\n")
    elif args.command == "import":
        try:
            cloud.load_json(json.loads(args.file.read_text()))
        except (OSError, ValueError) as exc:
            print(f"cannot import {args.file}: {exc}", file=sys.stderr)
            return 2
    elif args.command == "fail":
        cloud.inject_failure(args.operation, args.resource, args.phase, args.message, args.times)
    else:
        usage = cloud.host_usage()
        over = {"completed", "finished", "confirmed", "reverted", "error", "cancelled"}
        busy = [m for m in cloud.all_migrations() if m.status not in over]
        print(
            f"{len(cloud.compute_nodes())} hosts ({len(usage)} with instances), "
            f"{len(cloud.instances())} instances, {len(busy)} migrations in flight"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
