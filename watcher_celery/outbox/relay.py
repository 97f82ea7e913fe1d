"""The relay: send claimed outbox rows to the broker, mark them sent.

One background thread per process. A commit that wrote outbox rows kicks it (the API answers
without waiting for the broker); celery beat also runs it on a timer
(``WATCHER_OUTBOX_RELAY_INTERVAL``), so rows written by an API that died before its kick, or
while the broker was down, are still delivered. A failed send releases the row and the thread
retries with a growing pause (1 s to 10 s) while rows are left.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta

from watcher_celery.config import get_settings
from watcher_celery.db import session_scope
from watcher_celery.outbox import store

LOG = logging.getLogger(__name__)
BATCH = 100
MAX_PAUSE = 10.0
# One quick retry of a publish; a broker that stays down is retried by the next pass.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1}


def relay_once(app) -> tuple[int, int]:
    """Send one batch; return (rows sent, rows left unsent because the broker failed)."""
    claim_timeout = timedelta(seconds=get_settings().outbox_claim_seconds)
    with session_scope() as session:
        rows = store.claim(session, BATCH, claim_timeout)
    sent = 0
    for index, row in enumerate(rows):
        try:
            app.send_task(
                row.task,
                args=[row.target_uuid],
                headers={"request_id": row.request_id} if row.request_id else None,
                retry=True,
                retry_policy=PUBLISH_RETRY,
            )
        except Exception as exc:
            LOG.warning("outbox: broker refused %s(%s): %s", row.task, row.target_uuid, exc)
            with session_scope() as session:
                for unsent in rows[index:]:
                    store.release(session, unsent.id)
            return sent, len(rows) - index
        with session_scope() as session:
            store.mark_sent(session, row.id)
        sent += 1
    return sent, 0


class Relay:
    """The process's relay thread; ``poll`` seconds between passes, or None to wait for kicks."""

    def __init__(self, app, poll: float | None) -> None:
        self.app = app
        self.poll = poll
        self.pid = os.getpid()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def kick(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        pause: float | None = None
        while True:
            self._wake.wait(pause if pause is not None else self.poll)
            self._wake.clear()
            try:
                left = self._drain()
            except Exception:  # the database may be away too: try again later
                LOG.exception("outbox relay pass failed")
                left = 1
            pause = None if not left else min(MAX_PAUSE, (pause or 0.5) * 2)

    def _drain(self) -> int:
        while True:
            sent, left = relay_once(self.app)
            if left or sent < BATCH:
                return left


_relay: Relay | None = None
_lock = threading.Lock()


def _current(app, poll: float | None) -> Relay:
    """This process's relay (a forked child gets its own: threads do not survive fork)."""
    global _relay
    with _lock:
        if _relay is None or _relay.pid != os.getpid():
            _relay = Relay(app, poll)
        elif poll is not None and (_relay.poll is None or poll < _relay.poll):
            _relay.poll = poll
    return _relay


def install(app) -> None:
    """Kick this process's relay after every commit that wrote outbox rows."""

    def kick() -> None:
        _current(app, None).kick()

    store.COMMIT_HOOKS.append(kick)


def start_polling(app, interval: float) -> None:
    """Run a pass every ``interval`` seconds in this process (celery beat)."""
    _current(app, interval).kick()
