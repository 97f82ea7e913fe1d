"""The plan's DAG: which action follows which, and the linear runs that go to Celery as one chain.

Pure functions over rows, anything with ``uuid``, ``parents``, ``state`` and ``task_id`` (ORM
rows, result rows, dataclasses): no database, no Celery. The advance (``progress.py``) claims runs
with them, and the errback and recovery find the claimed actions a broken chain never reached.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from watcher_celery.states import ActionState


def children(rows: Iterable[Any]) -> dict[str, list[Any]]:
    """Parent uuid → its child rows, in the order of ``rows``."""
    found: dict[str, list[Any]] = {}
    for row in rows:
        for parent in row.parents:
            found.setdefault(parent, []).append(row)
    return found


def next_in_run(uuid: str, children_of: dict[str, list[Any]]) -> Any | None:
    """The action that continues ``uuid``'s linear run: its only child, having no other parent."""
    kids = children_of.get(uuid, [])
    if len(kids) != 1 or kids[0].parents != [uuid]:
        return None
    return kids[0]


def claimed_after(uuid: str, children_of: dict[str, list[Any]]) -> list[str]:
    """The claimed, unstarted actions that follow ``uuid`` in its linear run."""
    found, current = [], uuid
    while (child := next_in_run(current, children_of)) is not None:
        if child.state != ActionState.PENDING or not child.task_id:
            break
        found.append(child.uuid)
        current = child.uuid
    return found
