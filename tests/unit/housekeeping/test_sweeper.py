"""The sweeper asks again for accepted work nobody started, and only for that (PostgreSQL and
SQLite): a message on its way is left alone, a cancelled plan keeps no PENDING action."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from harness.rows import make_plan
from watcher_celery.db import Action, ActionPlan, Audit, OutboxMessage, session_scope
from watcher_celery.db.models import utcnow
from watcher_celery.dispatch import LAUNCH_ACTION_PLAN, RUN_AUDIT
from watcher_celery.housekeeping import sweep
from watcher_celery.outbox import enqueue

LATER = timedelta(minutes=5)  # well past WATCHER_DISPATCH_LEASE (60 s)


def _asked(target_uuid: str) -> list[str]:
    """The task of every outbox row for ``target_uuid``, oldest first (sent or not: a relay in
    this process may already have sent the newest)."""
    with session_scope() as session:
        return [
            row.task
            for row in session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.target_uuid == target_uuid)
                .order_by(OutboxMessage.id)
            )
        ]


def _mark_all_sent(target_uuid: str, when) -> None:
    with session_scope() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.target_uuid == target_uuid)
            .values(sent_at=when, claimed_at=when)
        )


def _accepted_audit() -> str:
    """An audit whose RUN_AUDIT was sent: the row is written already sent, in one transaction,
    so no relay publishes it to the real worker other tests leave on the same database and
    broker (which would run the audit and hold its run lock while the sweeper looks)."""
    audit_uuid, _, _ = make_plan(action_states=())
    now = utcnow()
    with session_scope() as session:
        session.add(
            OutboxMessage(task=RUN_AUDIT, target_uuid=audit_uuid, sent_at=now, claimed_at=now)
        )
    return audit_uuid


def test_a_pending_audit_whose_message_was_lost_is_asked_for_again(database):
    # Given an audit accepted and sent long ago that never started (the broker lost it)
    audit = _accepted_audit()
    # When the sweeper looks after the lease
    sweep(utcnow() + LATER)
    # Then its run is asked for again, in the outbox
    assert _asked(audit) == [RUN_AUDIT, RUN_AUDIT]


def test_work_whose_message_is_still_on_its_way_is_left_alone(database):
    # Given an audit accepted a moment ago (its message may still be queued)
    audit = _accepted_audit()
    # When the sweeper looks now
    sweep()
    # Then nothing more is asked
    assert _asked(audit) == [RUN_AUDIT]


def test_a_started_plan_never_launched_is_launched_again(database):
    _, plan, _ = make_plan(audit_state="SUCCEEDED", plan_state="PENDING")
    with session_scope() as session:
        enqueue(session, LAUNCH_ACTION_PLAN, plan)
    _mark_all_sent(plan, utcnow())
    sweep(utcnow() + LATER)
    assert _asked(plan) == [LAUNCH_ACTION_PLAN, LAUNCH_ACTION_PLAN]


def test_an_oneshot_audit_left_ongoing_by_a_dead_worker_runs_again(database, settings_env):
    # Given an ONGOING audit with no plan and no live run holding it (its worker died)
    settings_env.setenv("WATCHER_AUDIT_LEASE", "120")  # SQLite: no run lock, lease decides
    from watcher_celery.config import reset_settings

    reset_settings()
    audit = _accepted_audit()
    with session_scope() as session:
        session.execute(update(Audit).where(Audit.uuid == audit).values(state="ONGOING"))
        session.execute(
            update(ActionPlan)
            .where(
                ActionPlan.audit_id == select(Audit.id).where(Audit.uuid == audit).scalar_subquery()
            )
            .values(deleted=ActionPlan.id)
        )
        session.execute(
            ActionPlan.__table__.delete().where(
                ActionPlan.audit_id == select(Audit.id).where(Audit.uuid == audit).scalar_subquery()
            )
        )
    # When the sweeper looks after the lease
    swept = sweep(utcnow() + LATER)
    # Then the run is asked for again
    assert swept.orphaned_runs >= 1
    assert _asked(audit) == [RUN_AUDIT, RUN_AUDIT]


def test_a_cancelled_plan_keeps_no_pending_action(database):
    # Given a plan CANCELLED behind the applier's back with two actions still PENDING
    _, plan, actions = make_plan(plan_state="CANCELLED", action_states=("PENDING", "SUCCEEDED"))
    # When the sweeper passes
    sweep()
    # Then the PENDING one is CANCELLED and the finished one untouched
    with session_scope() as session:
        states = dict(
            session.execute(select(Action.uuid, Action.state).where(Action.uuid.in_(actions))).all()
        )
    assert [states[a] for a in actions] == ["CANCELLED", "SUCCEEDED"]
