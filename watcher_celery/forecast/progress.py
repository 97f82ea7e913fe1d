"""A running plan's progress and remaining time, from its actions' states and estimates.

Finished actions (SUCCEEDED, FAILED, SKIPPED, CANCELLED) take no more time; an ONGOING one
takes what is left of its estimate (at least nothing) and holds a slot from now; the rest are
scheduled as before the run (``schedule``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from watcher_celery.forecast.schedule import schedule

FINISHED = frozenset({"SUCCEEDED", "FAILED", "SKIPPED", "CANCELLED", "DELETED"})
RUNNING = "ONGOING"


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    fraction: float  # of the estimated work, 0..1
    remaining: float  # seconds


def progress(
    actions: Sequence[Mapping[str, Any]],
    estimates: Mapping[str, float],
    slots: int,
    running_for: Mapping[str, float] | None = None,
) -> Progress:
    """``actions`` have ``uuid``, ``parents``, ``state``; ``running_for``: seconds each
    ONGOING action has run."""
    running_for = running_for or {}
    durations: dict[str, float] = {}
    first = []
    worked = 0.0
    for action in actions:
        uuid, state, full = action["uuid"], action["state"], estimates.get(action["uuid"], 0.0)
        if state in FINISHED:
            durations[uuid] = 0.0
            worked += full
        elif state == RUNNING:
            spent = min(full, max(0.0, running_for.get(uuid, 0.0)))
            durations[uuid] = full - spent
            worked += spent
            first.append(uuid)
        else:
            durations[uuid] = full
    parents = {a["uuid"]: list(a.get("parents") or []) for a in actions}
    total_work = sum(estimates.get(a["uuid"], 0.0) for a in actions)
    done = sum(1 for a in actions if a["state"] in FINISHED)
    remaining = schedule(parents, durations, slots, first).eta
    fraction = worked / total_work if total_work > 0 else (done / len(actions) if actions else 1)
    return Progress(done, len(actions), round(min(1.0, fraction), 4), remaining)
