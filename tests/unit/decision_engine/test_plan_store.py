"""Storing a planned solution: the bulk write keeps every value the ORM would store."""

from __future__ import annotations

from sqlalchemy import select

from harness.rows import RAW_PLANS
from watcher_celery.config import get_settings
from watcher_celery.db import Action, ActionPlan, Audit, Goal, Strategy, session_scope
from watcher_celery.decision_engine.plan_store import save_plan
from watcher_celery.decision_engine.sync import sync_plugins
from watcher_celery.plugins import PlannedAction


def _audit(session) -> tuple[Audit, Strategy]:
    sync_plugins()
    goal = session.scalars(select(Goal).where(Goal.name == "dummy", Goal.deleted == 0)).one()
    strategy = session.scalars(
        select(Strategy).where(Strategy.name == "dummy", Strategy.deleted == 0)
    ).one()
    audit = Audit(
        name=f"plan-store-{id(session)}-{len(RAW_PLANS)}",
        audit_type="ONESHOT",
        state="ONGOING",
        goal_id=goal.id,
        strategy_id=strategy.id,
    )
    session.add(audit)
    session.flush()
    return audit, strategy


PLANNED = [
    PlannedAction("change_nova_service_state", {"state": "disabled", "resource_name": "h-1"}),
    PlannedAction(
        "migrate",
        {"migration_type": "live", "source_node": "h-1", "resource_name": 'vm é "1"\\'},
        (0,),
    ),
    PlannedAction("migrate", {"nested": {"a": [1, 2.5, None, True]}, "n": None}, (0,)),
    PlannedAction("nop", {}, (1, 2)),
]


def test_a_stored_plan_reads_back_action_by_action_with_parents_as_uuids(database):
    # Given a planned DAG of four actions (unicode, quotes, nesting, nulls in the parameters)
    with session_scope() as session:
        audit, strategy = _audit(session)
        # When it is stored
        plan = save_plan(session, audit, strategy, PLANNED, [], None)
        plan_id = plan.id
        RAW_PLANS.append((get_settings().database_url, plan_id))
    # Then every action reads back as planned, in order, PENDING, with its parents' UUIDs
    with session_scope() as session:
        rows = session.scalars(
            select(Action).where(Action.action_plan_id == plan_id).order_by(Action.id)
        ).all()
        assert [r.action_type for r in rows] == [p.action_type for p in PLANNED]
        assert [r.input_parameters for r in rows] == [p.input_parameters for p in PLANNED]
        assert [r.parents for r in rows] == [[rows[i].uuid for i in p.parents] for p in PLANNED]
        assert {r.state for r in rows} == {"PENDING"}
        assert {r.deleted for r in rows} == {0}
        assert len({r.uuid for r in rows}) == len(PLANNED)
        assert all(r.created_at is not None for r in rows)
        assert session.get(ActionPlan, plan_id).state == "RECOMMENDED"


def test_bulk_written_actions_equal_those_the_orm_writes(database):
    # Given the same actions written once by save_plan and once through the ORM
    with session_scope() as session:
        audit, strategy = _audit(session)
        plan = save_plan(session, audit, strategy, PLANNED, [], None)
        orm_plan = ActionPlan(audit_id=audit.id, strategy_id=strategy.id, state="RECOMMENDED")
        session.add(orm_plan)
        session.flush()
        RAW_PLANS.extend((get_settings().database_url, p.id) for p in (plan, orm_plan))
        session.add_all(
            Action(
                action_plan_id=orm_plan.id,
                action_type=p.action_type,
                input_parameters=p.input_parameters,
                state="PENDING",
                parents=list(p.parents),
            )
            for p in PLANNED
        )
        ids = plan.id, orm_plan.id
    # When both are read back through the ORM
    with session_scope() as session:

        def read(plan_id):
            return [
                (a.action_type, a.input_parameters, a.state, a.deleted, type(a.created_at))
                for a in session.scalars(
                    select(Action).where(Action.action_plan_id == plan_id).order_by(Action.id)
                )
            ]

        # Then they are equal, value for value and type for type
        assert read(ids[0]) == read(ids[1])


def test_a_plan_without_actions_is_stored_succeeded(database):
    with session_scope() as session:
        audit, strategy = _audit(session)
        plan = save_plan(session, audit, strategy, [], [], None)
        assert plan.state == "SUCCEEDED"
        assert not session.scalars(select(Action).where(Action.action_plan_id == plan.id)).all()
