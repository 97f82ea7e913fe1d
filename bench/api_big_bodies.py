"""What eight clients sending 10 MB PATCH bodies do to everyone else's requests.

Starts the real API (gunicorn, the project's settings: 2 processes x 4 threads) on its own
PostgreSQL database, measures the median latency of ``GET /v1/goals`` alone, then while eight
threads send 10 MB PATCHes in a loop — once with the request body limit
(``WATCHER_API_MAX_BODY``, 1 MiB: the PATCHes are 413 from their ``Content-Length``) and once
with a limit above their size (they are read and parsed). Printed: each median, and the ratio
(median while they run) / (median alone) of each.

    .venv/bin/python bench/api_big_bodies.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from harness.databases import create_pg_database, drop_pg_database, use_database  # noqa: E402
from harness.processes import start_api  # noqa: E402

SENDERS = 8
BODY = b'[{"op": "replace", "path": "/name", "value": "' + b"x" * (10 * 1024 * 1024) + b'"}]'
REPEAT = 40


def _median_ms(url: str) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        assert requests.get(url, timeout=60).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(env: dict[str, str], max_body: int) -> str:
    service, base = start_api(
        {**env, "WATCHER_API_MAX_BODY": str(max_body)}, Path(tempfile.mkdtemp())
    )
    stop, answers = threading.Event(), []

    def send() -> None:
        while not stop.is_set():
            response = requests.patch(
                f"{base}/v1/audits/{uuid.uuid4()}",
                data=BODY,
                headers={"Content-Type": "application/json"},
                timeout=300,
            )
            answers.append(response.status_code)

    try:
        alone = _median_ms(f"{base}/v1/goals")
        senders = [threading.Thread(target=send) for _ in range(SENDERS)]
        for thread in senders:
            thread.start()
        time.sleep(1)
        loaded = _median_ms(f"{base}/v1/goals")
        stop.set()
        for thread in senders:
            thread.join()
    finally:
        service.stop()
    return (
        f"limit {max_body:>9} B: GET /v1/goals median alone {alone:.1f} ms, with {SENDERS} "
        f"senders {loaded:.1f} ms, ratio {loaded / alone:.2f}; "
        f"{len(answers)} big PATCHes answered {sorted(set(answers))}"
    )


def main() -> None:
    from watcher_celery.migrate import upgrade

    name = f"wc_bench_{uuid.uuid4().hex[:8]}"
    url = create_pg_database(name)
    use_database(url)
    upgrade()
    env = {**os.environ, "WATCHER_DATABASE_URL": url, "WATCHER_STATE_DIR": tempfile.mkdtemp()}
    try:
        print(measure(env, 1024 * 1024))
        print(measure(env, 64 * 1024 * 1024))
    finally:
        from watcher_celery.db import reset_engine

        reset_engine()
        drop_pg_database(name)


if __name__ == "__main__":
    main()
