"""When a plan should end: its DAG run by a bounded number of applier slots.

The planner's ``parents`` are the plan's only ordering; the applier then runs ready actions
side by side, at most as many at once as its worker processes (``WATCHER_WORKER_CONCURRENCY``
per applier worker, ``WATCHER_APPLIER_SLOTS`` in all). We simulate that as list scheduling:
whenever a slot is free, the ready action with the longest remaining path to the plan's end
starts first, which is close to what the applier's frontier does and never below the critical
path. Actions already finished take no time; a running one takes what is left of it.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Schedule:
    eta: float  # seconds until the last action ends
    critical_path: float  # the same with unlimited slots
    starts: dict[str, float]
    finishes: dict[str, float]


def _order(parents: Mapping[str, Sequence[str]]) -> list[str]:
    """Parents before children; an unknown parent is ignored, a cycle is an error."""
    children: dict[str, list[str]] = {a: [] for a in parents}
    waiting = {a: 0 for a in parents}
    for action, ups in parents.items():
        for up in ups:
            if up in children:
                children[up].append(action)
                waiting[action] += 1
    ready = [a for a, n in waiting.items() if n == 0]
    order = []
    while ready:
        action = ready.pop()
        order.append(action)
        for child in children[action]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    if len(order) != len(parents):
        raise ValueError("the plan's actions form a cycle")
    return order


def schedule(
    parents: Mapping[str, Sequence[str]],
    durations: Mapping[str, float],
    slots: int,
    first: Sequence[str] = (),
) -> Schedule:
    """Start and finish (seconds from now) of every action, ``slots`` at a time.

    ``parents``: action → its parents; ``durations``: action → seconds (0 for finished ones);
    ``first``: actions already running, which hold their slots from the start.
    """
    order = _order(parents)
    known = {a: [p for p in parents[a] if p in parents] for a in parents}
    children: dict[str, list[str]] = {a: [] for a in parents}
    for action, ups in known.items():
        for up in ups:
            children[up].append(action)
    tail: dict[str, float] = {}
    for action in reversed(order):
        tail[action] = durations[action] + max((tail[c] for c in children[action]), default=0.0)
    earliest: dict[str, float] = {}
    for action in order:
        earliest[action] = max((earliest[p] + durations[p] for p in known[action]), default=0.0)
    critical = max((earliest[a] + durations[a] for a in order), default=0.0)

    slots = max(1, slots)
    waiting = {a: len(known[a]) for a in parents}
    ready_at = {a: 0.0 for a in parents}
    ready: list[tuple[float, str]] = []  # (-tail, action)
    running: list[tuple[float, str]] = []  # (finish, action)
    starts: dict[str, float] = {}
    finishes: dict[str, float] = {}
    now = 0.0

    def start(action: str) -> None:
        starts[action] = max(now, ready_at[action])
        finishes[action] = starts[action] + durations[action]
        heapq.heappush(running, (finishes[action], action))

    for action in first:
        if action in parents and waiting[action] == 0:
            start(action)
            waiting[action] = -1
    for action in order:
        if waiting[action] == 0:
            heapq.heappush(ready, (-tail[action], action))
    while ready or running:
        while ready and len(running) < slots:
            start(heapq.heappop(ready)[1])
        now, done = heapq.heappop(running)
        for child in children[done]:
            ready_at[child] = max(ready_at[child], now)
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (-tail[child], child))
    return Schedule(max(finishes.values(), default=0.0), critical, starts, finishes)
