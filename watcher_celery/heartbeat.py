"""Service heartbeats: each long-running process records itself in the ``services`` table.

The worker runs both the decision engine and the applier tasks, so it heartbeats under both
upstream names (``watcher-decision-engine``, ``watcher-applier``); beat under ``watcher-beat``.
The API reads ``last_seen_up`` to answer ACTIVE or FAILED (``api/services``).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from watcher_celery.config import get_settings
from watcher_celery.db import Service, session_scope
from watcher_celery.db.models import utcnow

LOG = logging.getLogger(__name__)
WORKER_SERVICES = ("watcher-decision-engine", "watcher-applier")
BEAT_SERVICES = ("watcher-beat",)


def beat_once(names: tuple[str, ...], host: str) -> None:
    """Insert or refresh one row per ``(host, name)`` with ``last_seen_up = now``."""
    now = utcnow()
    with session_scope() as session:
        live = session.scalars(
            select(Service).where(
                Service.host == host, Service.name.in_(names), Service.deleted == 0
            )
        ).all()
        rows = {row.name: row for row in live}
        for name in names:
            row = rows.get(name) or Service(name=name, host=host)
            row.last_seen_up = now
            session.add(row)


def _loop(names: tuple[str, ...], stop: threading.Event) -> None:
    settings = get_settings()
    while True:
        try:
            beat_once(names, settings.host)
        except Exception:  # a missed beat only makes the service look FAILED for a while
            LOG.exception("heartbeat of %s failed", ", ".join(names))
        if stop.wait(settings.heartbeat_interval):
            return


def start(names: tuple[str, ...]) -> threading.Event:
    """Heartbeat from a daemon thread until the returned event is set (or the process ends)."""
    stop = threading.Event()
    threading.Thread(
        target=_loop, args=(names, stop), name="watcher-heartbeat", daemon=True
    ).start()
    return stop
