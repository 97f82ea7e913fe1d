"""What ``GET /v1/data_model`` costs the decision engine on a large simulated cloud.

Prints, for 10,000 hosts / 200,000 instances by default: the model collection time, the time
to turn it into rows, the JSON size and encoding time of the answer (what travels through the
result backend), and the ratio of the row building to the collection.
Run: ``.venv/bin/python bench/data_model.py [hosts instances]``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.decision_engine.collector import collect
from watcher_celery.decision_engine.data_model import rows


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main(hosts: int = 10_000, instances: int = 200_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cloud = SimulatedCloud.create(Path(tmp) / "cloud.sqlite", 42, hosts, instances)
        model, collect_s = timed(lambda: collect(cloud, []))
        print(f"collect {len(model.nodes)} nodes / {len(model.instances)} instances: "
              f"{collect_s:.2f} s")  # fmt: skip
        out, rows_s = timed(lambda: rows(model))
        print(f"rows: {len(out)} in {rows_s:.2f} s")
        body, json_s = timed(lambda: json.dumps({"value": out}))
        print(f"JSON answer: {len(body) / 1e6:.1f} MB encoded in {json_s:.2f} s")
        print(f"ratio rows/collect: {rows_s / collect_s:.2f}")
        print(f"ratio (rows + JSON)/collect: {(rows_s + json_s) / collect_s:.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
