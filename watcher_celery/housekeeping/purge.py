"""Purge: delete soft-deleted rows older than a cutoff, for good (upstream's
``watcher-db-manage purge``).

The API only soft-deletes (``deleted_at`` set), so the tables grow forever without this. A row
goes when it was soft-deleted before the cutoff, or when its parent goes (a purged audit takes
its plans, a purged plan its actions and efficacy indicators): foreign keys allow nothing else.
The events that report on a purged object go with it. Children are deleted before parents, in
one transaction, so a failure leaves everything in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from watcher_celery.db.models import (
    Action,
    ActionExecution,
    ActionPlan,
    Audit,
    AuditTemplate,
    EfficacyIndicator,
    Event,
    utcnow,
)

# Deleted in this order: children first.
TABLES = (
    "events",
    "action_executions",
    "actions",
    "efficacy_indicators",
    "action_plans",
    "audits",
    "audit_templates",
)
CHUNK = 500


@dataclass
class PurgeSet:
    """The ids (and uuids, for the events) that a purge removes, table by table."""

    audits: dict[int, str] = field(default_factory=dict)
    plans: dict[int, str] = field(default_factory=dict)
    actions: dict[int, str] = field(default_factory=dict)
    indicators: list[int] = field(default_factory=list)
    templates: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    executions: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "events": len(self.events),
            "action_executions": len(self.executions),
            "actions": len(self.actions),
            "efficacy_indicators": len(self.indicators),
            "action_plans": len(self.plans),
            "audits": len(self.audits),
            "audit_templates": len(self.templates),
        }


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _old(model, cutoff: datetime):
    return model.deleted != 0, model.deleted_at.is_not(None), model.deleted_at < cutoff


def _select_ids(session: Session, model, *where) -> dict[int, str]:
    return dict(session.execute(select(model.id, model.uuid).where(*where)).all())


def collect(session: Session, older_than_days: float) -> PurgeSet:
    """What a purge with this age would remove (reads only)."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    found = PurgeSet()
    found.audits = _select_ids(session, Audit, *_old(Audit, cutoff))
    found.plans = _select_ids(session, ActionPlan, *_old(ActionPlan, cutoff))
    for ids in _chunks(list(found.audits)):
        found.plans.update(_select_ids(session, ActionPlan, ActionPlan.audit_id.in_(ids)))
    found.actions = _select_ids(session, Action, *_old(Action, cutoff))
    for ids in _chunks(list(found.plans)):
        found.actions.update(_select_ids(session, Action, Action.action_plan_id.in_(ids)))
        found.indicators += session.scalars(
            select(EfficacyIndicator.id).where(EfficacyIndicator.action_plan_id.in_(ids))
        ).all()
    found.indicators += session.scalars(
        select(EfficacyIndicator.id).where(
            *_old(EfficacyIndicator, cutoff), EfficacyIndicator.id.not_in(found.indicators)
        )
    ).all()
    found.templates = list(
        session.scalars(select(AuditTemplate.id).where(*_old(AuditTemplate, cutoff)))
    )
    action_uuids = list(found.actions.values())
    for uuids in _chunks(action_uuids):
        found.executions += session.scalars(
            select(ActionExecution.action_uuid).where(ActionExecution.action_uuid.in_(uuids))
        ).all()
    subject = Event.payload["payload"]["watcher_object.data"]["uuid"].as_string()
    gone = [*found.audits.values(), *found.plans.values(), *action_uuids]
    for uuids in _chunks(gone):
        found.events += session.scalars(select(Event.id).where(subject.in_(uuids))).all()
    return found


def _delete(session: Session, column, values: list) -> None:
    for chunk in _chunks(values):
        session.execute(delete(column.table).where(column.in_(chunk)))


def purge(session: Session, found: PurgeSet) -> dict[str, int]:
    """Delete what :func:`collect` found, children first, in the caller's transaction."""
    _delete(session, Event.__table__.c.id, found.events)
    _delete(session, ActionExecution.__table__.c.action_uuid, found.executions)
    _delete(session, Action.__table__.c.id, list(found.actions))
    _delete(session, EfficacyIndicator.__table__.c.id, found.indicators)
    _delete(session, ActionPlan.__table__.c.id, list(found.plans))
    _delete(session, Audit.__table__.c.id, list(found.audits))
    _delete(session, AuditTemplate.__table__.c.id, found.templates)
    return found.counts()
