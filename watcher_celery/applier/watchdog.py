"""The watchdog of a worker process: keeps its running actions' leases alive and aborts them
when their plan is being cancelled.

One daemon thread per worker process. Every tick it refreshes ``heartbeat_at`` of the actions
this process is executing (so recovery does not take them over) and reads their plans' states;
an action whose plan went CANCELLING gets ``abort()`` called from this thread while its
``execute()`` is still running in the task's thread — the action stops its command and
``execute()`` returns.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from watcher_celery.applier import record
from watcher_celery.db import ActionPlan, session_scope
from watcher_celery.states import CANCELLED_PLAN_STATES

LOG = logging.getLogger(__name__)


@dataclass
class Running:
    """One action being executed in this process, and what its abort returned."""

    action_uuid: str
    plan_uuid: str
    instance: Any
    aborting: threading.Event = field(default_factory=threading.Event)
    aborted: threading.Event = field(default_factory=threading.Event)
    abort_result: bool | None = None
    abort_error: Exception | None = None

    def abort(self) -> None:
        if self.aborting.is_set():
            return
        self.aborting.set()  # before abort(): execute() may return as soon as it starts
        try:
            self.abort_result = self.instance.abort()
        except Exception as exc:  # the abort failed: the action ends FAILED
            LOG.exception("abort of action %s failed", self.action_uuid)
            self.abort_error = exc
        self.aborted.set()

    def was_aborted(self) -> bool:
        """Whether an abort started; if so, wait for its result first."""
        if not self.aborting.is_set():
            return False
        self.aborted.wait()
        return True


_running: dict[str, Running] = {}
_lock = threading.Lock()
_thread: threading.Thread | None = None


def _interval() -> float:
    return max(0.2, min(1.0, record.lease().total_seconds() / 3))


def _tick() -> None:
    with _lock:
        running = list(_running.values())
    if not running:
        return
    record.heartbeat([r.action_uuid for r in running])
    plan_uuids = {r.plan_uuid for r in running}
    with session_scope() as session:
        cancelling = set(
            session.scalars(
                select(ActionPlan.uuid).where(
                    ActionPlan.uuid.in_(plan_uuids),
                    ActionPlan.state.in_(CANCELLED_PLAN_STATES),
                )
            )
        )
    for run in running:
        if run.plan_uuid in cancelling:
            from watcher_celery.applier.cancel import mark_cancelling

            mark_cancelling(run.action_uuid)
            run.abort()


def _loop() -> None:
    while True:
        try:
            _tick()
        except Exception:  # a bad tick must not kill the thread; the next one retries
            LOG.exception("applier watchdog tick failed")
        threading.Event().wait(_interval())


def _ensure_thread() -> None:
    global _thread
    if _thread is None or not _thread.is_alive():
        _thread = threading.Thread(target=_loop, name="applier-watchdog", daemon=True)
        _thread.start()


def watch(action_uuid: str, plan_uuid: str, instance: Any) -> Running:
    _ensure_thread()
    run = Running(action_uuid, plan_uuid, instance)
    with _lock:
        _running[action_uuid] = run
    return run


def unwatch(action_uuid: str) -> None:
    with _lock:
        _running.pop(action_uuid, None)


def reset_after_fork() -> None:
    """A forked child inherits the dict but not the thread: start clean."""
    global _thread
    with _lock:
        _running.clear()
    _thread = None
