"""Rows written straight to the database, for tests and benchmarks (states, queries, plans)."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from watcher_celery.config import get_settings
from watcher_celery.db import Action, ActionPlan, Audit, Goal, Strategy, session_scope
from watcher_celery.db.session import make_engine
from watcher_celery.decision_engine.sync import sync_plugins

# Plans written raw by make_plan, as (database url, plan id): settled after each test so a
# plan left ONGOING here does not hold up later audits ("an action plan is ONGOING").
RAW_PLANS: list[tuple[str, int]] = []
UNSETTLED = ("PENDING", "ONGOING", "CANCELLING")


def settle_raw_plans() -> None:
    """Move raw plans still in a non-terminal state to CANCELLED (test teardown only)."""
    by_url: dict[str, list[int]] = {}
    for url, plan_id in RAW_PLANS:
        by_url.setdefault(url, []).append(plan_id)
    RAW_PLANS.clear()
    for url, ids in by_url.items():
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(
                update(ActionPlan)
                .where(ActionPlan.id.in_(ids), ActionPlan.state.in_(UNSETTLED))
                .values(state="CANCELLED")
            )
        engine.dispose()


def make_plan(
    audit_state: str = "PENDING", plan_state: str = "RECOMMENDED", action_states=("PENDING",)
) -> tuple[str, str, list[str]]:
    """An audit of the dummy goal with one plan and its actions; returns their UUIDs."""
    sync_plugins()
    with session_scope() as session:
        goal = session.scalars(select(Goal).where(Goal.name == "dummy", Goal.deleted == 0)).one()
        strategy = session.scalars(
            select(Strategy).where(Strategy.name == "dummy", Strategy.deleted == 0)
        ).one()
        audit = Audit(
            name=f"audit-{uuid.uuid4().hex}",
            audit_type="ONESHOT",
            state=audit_state,
            goal_id=goal.id,
            strategy_id=strategy.id,
        )
        session.add(audit)
        session.flush()
        plan = ActionPlan(audit_id=audit.id, strategy_id=strategy.id, state=plan_state)
        session.add(plan)
        session.flush()
        RAW_PLANS.append((get_settings().database_url, plan.id))
        actions = [
            Action(
                action_plan_id=plan.id,
                action_type="nop",
                state=state,
                input_parameters={"message": "x"},
            )
            for state in action_states
        ]
        session.add_all(actions)
        session.flush()
        return audit.uuid, plan.uuid, [a.uuid for a in actions]


def bulk_actions(count: int, plans: int = 100) -> list[int]:
    """``count`` PENDING nop actions spread over ``plans`` plans of one audit, written by one
    ``INSERT ... SELECT generate_series`` (PostgreSQL); returns the plan ids."""
    from sqlalchemy import text

    audit_uuid, plan_uuid, _ = make_plan(action_states=())
    with session_scope() as session:
        audit = session.scalars(select(Audit).where(Audit.uuid == audit_uuid)).one()
        first = session.scalars(select(ActionPlan).where(ActionPlan.uuid == plan_uuid)).one()
        extra = [
            ActionPlan(audit_id=audit.id, strategy_id=first.strategy_id, state="RECOMMENDED")
            for _ in range(plans - 1)
        ]
        session.add_all(extra)
        session.flush()
        plan_ids = [first.id] + [p.id for p in extra]
        session.execute(
            text(
                "INSERT INTO actions (uuid, action_plan_id, action_type, input_parameters, "
                "state, parents, created_at, deleted) "
                "SELECT gen_random_uuid()::text, (:plans)[1 + n % :count], 'nop', '{}', "
                "'PENDING', '[]', now(), 0 FROM generate_series(1, :total) AS n"
            ),
            {"plans": plan_ids, "count": plans, "total": count},
        )
        return plan_ids


def make_dag_plan(steps: list[tuple[str, dict, list[int]]], strategy: str = "dummy") -> dict:
    """A plan the operator has started (PENDING, as ``POST /start`` leaves it) whose actions
    are ``(type, input parameters, parent indexes)``."""
    sync_plugins()
    with session_scope() as session:
        goal = session.scalars(select(Goal).where(Goal.name == "dummy", Goal.deleted == 0)).one()
        row = session.scalars(
            select(Strategy).where(Strategy.name == strategy, Strategy.deleted == 0)
        ).one_or_none()
        if row is None:
            row = Strategy(name=strategy, display_name=strategy, goal_id=goal.id)
            session.add(row)
            session.flush()
        audit = Audit(
            name=f"audit-{uuid.uuid4().hex}",
            audit_type="ONESHOT",
            state="SUCCEEDED",
            goal_id=goal.id,
            strategy_id=row.id,
        )
        session.add(audit)
        session.flush()
        plan = ActionPlan(audit_id=audit.id, strategy_id=row.id, state="PENDING")
        session.add(plan)
        session.flush()
        RAW_PLANS.append((get_settings().database_url, plan.id))
        uuids = [str(uuid.uuid4()) for _ in steps]
        for index, (action_type, params, parents) in enumerate(steps):
            session.add(
                Action(
                    uuid=uuids[index],
                    action_plan_id=plan.id,
                    action_type=action_type,
                    input_parameters=params,
                    state="PENDING",
                    parents=[uuids[p] for p in parents],
                )
            )
        return {"plan": plan.uuid, "actions": uuids}


def plan_state(plan_uuid: str) -> tuple[str, str | None]:
    with session_scope() as session:
        plan = session.scalars(select(ActionPlan).where(ActionPlan.uuid == plan_uuid)).one()
        return plan.state, plan.status_message
