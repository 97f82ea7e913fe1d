"""Page latency of ``GET /v1/actions`` at row 10 versus row 99,990 of 100,000 actions.

Keyset paging (``api/pagination.py``) should make a page as cheap deep in the collection as at
its start: the printed ratios are (median latency at row 99,990) / (median at row 10), for the
default key and for a derived key sorted through a join. Needs PostgreSQL (``WATCHER_TEST_PG``,
default the local server); creates and drops its own database.

    .venv/bin/python bench/api_pagination.py
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from harness.databases import create_pg_database, drop_pg_database, use_database  # noqa: E402
from harness.rows import bulk_actions  # noqa: E402

ROWS = 100_000
REPEAT = 30


def _median_ms(client, url: str) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)
    return statistics.median(times)


def main() -> None:
    from watcher_celery.api import create_app
    from watcher_celery.db import Action, ActionPlan, session_scope
    from watcher_celery.migrate import upgrade

    name = f"wc_bench_{uuid.uuid4().hex[:8]}"
    use_database(create_pg_database(name))
    try:
        upgrade()
        plan_ids = bulk_actions(ROWS)
        client = create_app().test_client()
        print(f"{ROWS} actions in {len(plan_ids)} plans; page size 10; median of {REPEAT}")
        for key, order in (
            ("id", (Action.id,)),
            ("action_plan_uuid", (ActionPlan.uuid, Action.id)),
        ):
            with session_scope() as session:
                uuids = session.scalars(select(Action.uuid).join(ActionPlan).order_by(*order)).all()
            near = _median_ms(client, f"/v1/actions?limit=10&sort_key={key}&marker={uuids[9]}")
            deep = _median_ms(
                client, f"/v1/actions?limit=10&sort_key={key}&marker={uuids[ROWS - 11]}"
            )
            print(
                f"sort_key={key:17} row 10: {near:6.2f} ms  row 99,990: {deep:6.2f} ms  "
                f"ratio {deep / near:.2f}"
            )
    finally:
        from watcher_celery.db import reset_engine

        reset_engine()
        drop_pg_database(name)


if __name__ == "__main__":
    main()
