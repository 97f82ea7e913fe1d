"""The sweeper: accepted work that never started, or whose worker vanished, is asked for again.

Run from beat every ``WATCHER_SWEEP_INTERVAL`` seconds. The outbox guarantees a message for
every accepted change, but a broker can still lose one (a Redis restart without persistence)
and a worker can die mid-audit. Past ``WATCHER_DISPATCH_LEASE`` seconds, with no message for
it sent meanwhile:

* a ONESHOT audit still PENDING is asked to run again;
* a ONESHOT audit ONGOING without a plan, or a CONTINUOUS run in progress, whose run lock is
  free (its worker is gone; ``decision_engine/run_lock.py``) is asked to run again — on a
  database without that lock, only after ``WATCHER_AUDIT_LEASE``;
* an action plan still PENDING (started, never launched) is asked to launch again;
* a CANCELLED plan's PENDING actions are CANCELLED.

Every task it asks for is idempotent, so asking once too often costs one no-op delivery. Running
plans are the applier's recovery's job (``applier/recovery.py``). Sent outbox rows older than a
day are pruned.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select

from watcher_celery import dispatch
from watcher_celery.config import get_settings
from watcher_celery.db import Action, ActionPlan, Audit, session_scope
from watcher_celery.db.models import utcnow
from watcher_celery.decision_engine import run_lock
from watcher_celery.outbox import store
from watcher_celery.states import (
    ActionPlanState,
    ActionState,
    Actor,
    AuditState,
    AuditType,
    transition_where,
)

LOG = logging.getLogger(__name__)
OUTBOX_KEPT = timedelta(days=1)
CANCELLED_WITH_PLAN = "Action was cancelled with its action plan."


@dataclass
class Swept:
    """What one pass asked for again (counts)."""

    pending_audits: int = 0
    orphaned_runs: int = 0
    pending_plans: int = 0
    cancelled_actions: int = 0
    pruned_outbox: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _orphaned(audit_id: int, since: datetime | None, now: datetime) -> bool:
    """No live run holds the audit (or, without run locks, its run is older than the lease)."""
    running = run_lock.is_running(audit_id)
    if running is not None:
        return not running
    lease = timedelta(seconds=get_settings().audit_lease_seconds)
    return since is None or since < now - lease


def _audits(session, now: datetime, before: datetime) -> tuple[list[str], list[str]]:
    """(PENDING ONESHOT audits to run, ONGOING runs whose worker is gone)."""
    pending = list(
        session.scalars(
            select(Audit.uuid).where(
                Audit.audit_type == AuditType.ONESHOT,
                Audit.state == AuditState.PENDING,
                Audit.created_at < before,
                Audit.deleted == 0,
            )
        )
    )
    oneshot = session.execute(
        select(Audit.id, Audit.uuid, Audit.updated_at).where(
            Audit.audit_type == AuditType.ONESHOT,
            Audit.state == AuditState.ONGOING,
            func.coalesce(Audit.updated_at, Audit.created_at) < before,
            Audit.deleted == 0,
            ~exists().where(ActionPlan.audit_id == Audit.id),
        )
    ).all()
    continuous = session.execute(
        select(Audit.id, Audit.uuid, Audit.run_started_at).where(
            Audit.audit_type == AuditType.CONTINUOUS,
            Audit.state == AuditState.ONGOING,
            Audit.run_started_at < before,
            Audit.deleted == 0,
        )
    ).all()
    orphaned = [
        uuid for audit_id, uuid, since in [*oneshot, *continuous] if _orphaned(audit_id, since, now)
    ]
    return pending, orphaned


def sweep(now: datetime | None = None) -> Swept:
    now = now or utcnow()
    before = now - timedelta(seconds=get_settings().dispatch_lease_seconds)
    swept = Swept()
    with session_scope() as session:
        pending, orphaned = _audits(session, now, before)
        plans = list(
            session.scalars(
                select(ActionPlan.uuid).where(
                    ActionPlan.state == ActionPlanState.PENDING,
                    func.coalesce(ActionPlan.updated_at, ActionPlan.created_at) < before,
                    ActionPlan.deleted == 0,
                )
            )
        )
        asked = store.recently_asked(session, [*pending, *orphaned, *plans], before)
        for uuid in pending:
            if uuid not in asked:
                dispatch.run_audit(session, uuid)
                swept.pending_audits += 1
        for uuid in orphaned:
            if uuid not in asked:
                dispatch.run_audit(session, uuid)
                swept.orphaned_runs += 1
        for uuid in plans:
            if uuid not in asked:
                dispatch.launch_action_plan(session, uuid)
                swept.pending_plans += 1
        swept.cancelled_actions = transition_where(
            session,
            Action,
            ActionState.CANCELLED,
            Actor.SERVICE,
            Action.action_plan_id.in_(
                select(ActionPlan.id).where(ActionPlan.state == ActionPlanState.CANCELLED)
            ),
            expected=ActionState.PENDING,
            status_message=CANCELLED_WITH_PLAN,
        )
        swept.pruned_outbox = store.prune_sent(session, now - OUTBOX_KEPT)
    if any(value for key, value in swept.as_dict().items() if key != "pruned_outbox"):
        LOG.warning("sweeper asked again for stranded work: %s", swept.as_dict())
    return swept
