"""Persisting a planned solution: the action plan, its actions (DAG) and efficacy rows.

Everything is written in the caller's transaction, so an audit either gets a whole plan or none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from watcher_celery.db import Action, ActionPlan, Audit, EfficacyIndicator, Strategy
from watcher_celery.db.bulk import insert_rows
from watcher_celery.db.models import new_uuids, utcnow
from watcher_celery.plugins import PlannedAction
from watcher_celery.states import ActionPlanState, ActionState

_ACTION_COLUMNS = (
    "uuid", "action_plan_id", "action_type", "input_parameters", "state", "parents",
    "created_at", "deleted",
)  # fmt: skip


def save_plan(
    session: Session,
    audit: Audit,
    strategy: Strategy,
    planned: list[PlannedAction],
    indicators: list[dict[str, Any]],
    global_efficacy: list[dict[str, Any]] | None,
) -> ActionPlan:
    plan = ActionPlan(
        audit_id=audit.id,
        strategy_id=strategy.id,
        state=ActionPlanState.RECOMMENDED if planned else ActionPlanState.SUCCEEDED,
        global_efficacy=global_efficacy,
    )
    session.add(plan)
    session.flush()
    uuids = new_uuids(len(planned))
    now = utcnow()
    # Actions of one chunk share their parents: one list for them all, serialised once.
    parents: dict[tuple[int, ...], list[str]] = {}
    for item in planned:
        if item.parents not in parents:
            parents[item.parents] = [uuids[p] for p in item.parents]
    if planned:
        # One bulk write (COPY on PostgreSQL) instead of the unit of work or the ORM's bulk
        # insert: 83,000 actions cost about a second of CPU (bench/plan_persist.py).
        insert_rows(
            session,
            Action.__table__,
            _ACTION_COLUMNS,
            [
                (
                    uuids[index],
                    plan.id,
                    item.action_type,
                    item.input_parameters,
                    ActionState.PENDING.value,
                    parents[item.parents],
                    now,
                    0,
                )
                for index, item in enumerate(planned)
            ],
        )
    session.add_all(EfficacyIndicator(action_plan_id=plan.id, **row) for row in indicators)
    return plan
