"""The scoring engines this service offers, written to the ``scoring_engines`` table.

Upstream ships ``dummy_scorer`` and a container of three aggregate scorers; the same names are
registered here so clients listing scoring engines see what they expect.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from watcher_celery.db import ScoringEngine, session_scope

WORKLOADS = ["idle", "cpu-intensive", "memory-intensive", "io-intensive"]
CATALOG: dict[str, tuple[str, str]] = {
    "dummy_scorer": (
        "Dummy workload classifier: maps host telemetry to a workload class",
        json.dumps(
            {
                "feature_columns": ["mem_util", "cpu_util", "io_util"],
                "result_columns": ["workload"],
                "workloads": WORKLOADS,
            }
        ),
    ),
    "dummy_min_scorer": ("Dummy scorer returning the minimum of its inputs", ""),
    "dummy_max_scorer": ("Dummy scorer returning the maximum of its inputs", ""),
    "dummy_avg_scorer": ("Dummy scorer returning the average of its inputs", ""),
}


def sync_scoring_engines() -> None:
    """Insert or refresh the catalogue rows; a concurrent start-up may win the insert."""
    for attempt in range(2):
        try:
            with session_scope() as session:
                rows = {
                    row.name: row
                    for row in session.scalars(
                        select(ScoringEngine).where(ScoringEngine.deleted == 0)
                    )
                }
                for name, (description, metainfo) in CATALOG.items():
                    row = rows.get(name) or ScoringEngine(name=name)
                    row.description = description
                    row.metainfo = metainfo
                    session.add(row)
            return
        except IntegrityError:
            if attempt:
                raise
