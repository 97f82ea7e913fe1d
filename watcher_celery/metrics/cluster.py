"""Gauges read at scrape time from the database and the broker: what exists now, whichever
process made it. Counting live rows by indexed state is a few cheap queries per scrape."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC

from kombu import Connection
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from watcher_celery.config import get_settings
from watcher_celery.db import Action, ActionPlan, Audit, Service, session_scope
from watcher_celery.db.models import Strategy, utcnow
from watcher_celery.queues import ROLES, queue_name

LOG = logging.getLogger(__name__)
MIGRATIONS = ("migrate",)
BROKER_TIMEOUT = 2.0


def _gauge(name: str, doc: str, labels: list[str], rows) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for *values, count in rows:
        family.add_metric([str(v) if v is not None else "" for v in values], float(count))
    return family


def queue_depths() -> dict[str, int]:
    """Messages waiting in each role's queue (0 for a queue the broker does not hold yet)."""
    settings = get_settings()
    depths = {}
    with Connection(settings.broker_url, connect_timeout=BROKER_TIMEOUT) as connection:
        channel = connection.default_channel
        for role in ROLES:
            name = queue_name(settings.task_queue, role)
            try:
                depths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except Exception:  # a queue nobody declared yet holds nothing
                depths[name] = 0
                channel = connection.channel()
    return depths


class ClusterCollector:
    """A prometheus-client collector: one pass over the database (and the broker) per scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with session_scope() as session:
            yield _gauge(
                "watcher_audits",
                "Audits by state and strategy (live rows).",
                ["state", "strategy"],
                session.execute(
                    select(Audit.state, Strategy.name, func.count())
                    .outerjoin(Strategy, Audit.strategy_id == Strategy.id)
                    .where(Audit.deleted == 0)
                    .group_by(Audit.state, Strategy.name)
                ),
            )
            yield _gauge(
                "watcher_action_plans",
                "Action plans by state (live rows).",
                ["state"],
                session.execute(
                    select(ActionPlan.state, func.count())
                    .where(ActionPlan.deleted == 0)
                    .group_by(ActionPlan.state)
                ),
            )
            yield _gauge(
                "watcher_actions",
                "Actions by type and state (live rows).",
                ["action_type", "state"],
                session.execute(
                    select(Action.action_type, Action.state, func.count())
                    .where(Action.deleted == 0)
                    .group_by(Action.action_type, Action.state)
                ),
            )
            in_flight = session.scalar(
                select(func.count())
                .select_from(Action)
                .where(Action.action_type.in_(MIGRATIONS), Action.state == "ONGOING")
            )
            yield _gauge(
                "watcher_migrations_in_flight",
                "Migrations running now (ONGOING migrate actions).",
                [],
                [(in_flight,)],
            )
            now = utcnow()
            services = session.execute(
                select(Service.name, Service.host, Service.last_seen_up).where(
                    Service.deleted == 0, Service.last_seen_up.is_not(None)
                )
            ).all()
        yield _gauge(
            "watcher_heartbeat_age_seconds",
            "Seconds since each service last recorded its heartbeat.",
            ["service", "host"],
            [(name, host, (now - _aware(seen)).total_seconds()) for name, host, seen in services],
        )
        try:
            depths = queue_depths()
        except Exception as exc:  # /readyz reports an unreachable broker; /metrics still answers
            LOG.warning("metrics: broker unreachable for queue depths: %s", exc)
            depths = {}
        yield _gauge(
            "watcher_queue_depth",
            "Messages waiting in each role's queue on the broker.",
            ["queue"],
            list(depths.items()),
        )


def _aware(moment):
    """SQLite hands back naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
