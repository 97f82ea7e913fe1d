"""Crash recovery: finish plans whose worker died (STYLE §8).

:func:`reclaim_abandoned_plans` runs when a worker starts (after one lease, so the dead worker's
last heartbeats have aged) and periodically from celery beat. For every ONGOING or CANCELLING
plan it finds:

* actions ONGOING/CANCELLING whose execution record's lease is stale (their worker is gone):
  re-dispatched under a new task id; the delivery then ``resume()``s them instead of sending
  the command again (``applier/execution.py``);
* claimed actions whose message is lost (ready for longer than a lease, never started, and
  neither in the broker queue nor held by a live worker, see ``inflight.py``) and the rest of
  their Celery chain: un-claimed, so the advance that follows dispatches them afresh.

A late copy of a lost message still carries the old task id and does nothing. Then the plan
is advanced (a lost advance is replayed) and, if CANCELLING, wound down.
"""

from __future__ import annotations

import logging
import uuid as uuidlib
from datetime import datetime

from sqlalchemy import select, update

from watcher_celery.applier import dag, record
from watcher_celery.applier.cancel import wind_down
from watcher_celery.applier.canvas import send
from watcher_celery.applier.inflight import inflight_task_ids
from watcher_celery.applier.progress import Advance, advance_plan
from watcher_celery.db import Action, ActionPlan, session_scope
from watcher_celery.db.models import utcnow
from watcher_celery.states import (
    RUNNING_ACTION_STATES,
    RUNNING_PLAN_STATES,
    TERMINAL_ACTION_STATES,
    ActionState,
)

LOG = logging.getLogger(__name__)


def _older_than_lease(moment: datetime | None) -> bool:
    return moment is None or utcnow() - moment > record.lease()


def abandoned(plan_id: int, session) -> tuple[list[tuple[str, str]], list[str]]:
    """(stale running actions with their current task id, claims to release) of one plan."""
    rows = {
        r.uuid: r
        for r in session.execute(
            select(
                Action.uuid, Action.state, Action.task_id, Action.parents, Action.updated_at
            ).where(Action.action_plan_id == plan_id, Action.deleted == 0)
        )
    }
    children = dag.children(rows.values())
    running = [u for u, r in rows.items() if r.state in RUNNING_ACTION_STATES]
    recorded = set(record.stale_action_uuids(session, running))
    with_record = {u for u in running if record.get(session, u) is not None}
    stale_running = [u for u in running if u in recorded or u not in with_record]
    release: list[str] = []
    for uuid in stale_running:
        release += dag.claimed_after(uuid, children)
    lost = [u for u, r in rows.items() if _waiting_too_long(r, rows)]
    inflight = inflight_task_ids() if lost else None
    if inflight is not None:
        for uuid in lost:
            if rows[uuid].task_id not in inflight:
                release += [uuid, *dag.claimed_after(uuid, children)]
    return [(u, rows[u].task_id) for u in stale_running], sorted(set(release))


def _waiting_too_long(row, rows: dict) -> bool:
    """A claimed action, ready for longer than a lease, that has not started."""
    if row.state != ActionState.PENDING or not row.task_id:
        return False
    parents = [rows[p] for p in row.parents if p in rows]
    if any(p.state not in TERMINAL_ACTION_STATES for p in parents):
        return False
    return all(_older_than_lease(m) for m in [row.updated_at] + [p.updated_at for p in parents])


def reclaim_plan(plan_uuid: str) -> list[tuple[str, str]]:
    """Re-own a plan's abandoned actions; returns (action uuid, new task id) to dispatch."""
    redispatch = []
    with session_scope() as session:
        plan = session.scalars(select(ActionPlan).where(ActionPlan.uuid == plan_uuid)).one()
        stale, release = abandoned(plan.id, session)
        if release:
            session.execute(
                update(Action)
                .where(Action.uuid.in_(release), Action.state == ActionState.PENDING)
                .values(task_id=None)
                .execution_options(synchronize_session=False)
            )
        for action_uuid, old_task in stale:
            new_task = str(uuidlib.uuid4())
            moved = session.execute(
                update(Action)
                .where(Action.uuid == action_uuid, Action.task_id.is_not_distinct_from(old_task))
                .values(task_id=new_task)
                .execution_options(synchronize_session=False)
            ).rowcount
            if moved:
                redispatch.append((action_uuid, new_task))
    if redispatch or release:
        LOG.warning(
            "plan %s: resuming %d abandoned action(s), re-dispatching %d lost claim(s)",
            plan_uuid,
            len(redispatch),
            len(release),
        )
    return redispatch


def reclaim_abandoned_plans() -> list[str]:
    """Resume every running plan that has abandoned work; returns the plans touched."""
    with session_scope() as session:
        plans = list(
            session.scalars(
                select(ActionPlan.uuid).where(
                    ActionPlan.state.in_(RUNNING_PLAN_STATES),
                    ActionPlan.deleted == 0,
                )
            )
        )
    touched = []
    for plan_uuid in plans:
        try:
            redispatch = reclaim_plan(plan_uuid)
            send(Advance("", runs=[[item] for item in redispatch]))
            wind_down(plan_uuid)
            send(advance_plan(plan_uuid))
            touched.append(plan_uuid)
        except Exception:  # one broken plan must not stop the others from being recovered
            LOG.exception("could not reclaim plan %s", plan_uuid)
    return touched
