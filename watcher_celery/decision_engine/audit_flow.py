"""One audit run: claim → strategy → efficacy → planner → plan, with failures recorded.

Steps (the "Called from" lines of the hookspecs refer to them):
  1. claim the audit (PENDING → ONGOING), unless a plan is ONGOING and the audit is not forced;
  2. choose the strategy and fill its parameters' defaults;
  3. run the strategy on the scoped cluster model (``StrategyContext``);
  4. validate efficacy indicators, plan the actions into a DAG and store the plan;
  5. ONESHOT and EVENT audits end SUCCEEDED; CONTINUOUS ones stay ONGOING.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import exists, select

from watcher_celery import dispatch
from watcher_celery.config import get_settings
from watcher_celery.db import Action, ActionPlan, Audit, Strategy, session_scope
from watcher_celery.decision_engine import efficacy, run_lock
from watcher_celery.decision_engine.context import build_context
from watcher_celery.decision_engine.continuous import end_run
from watcher_celery.decision_engine.gc_pause import gc_paused
from watcher_celery.decision_engine.plan_store import save_plan
from watcher_celery.decision_engine.selection import select_strategy
from watcher_celery.errors import IllegalTransition, WatcherCeleryError
from watcher_celery.metrics import STRATEGY_SECONDS
from watcher_celery.plugins import parameters
from watcher_celery.plugins.registry import get_registry
from watcher_celery.states import (
    TRIGGERABLE_AUDIT_STATES,
    ActionPlanState,
    ActionState,
    Actor,
    AuditState,
    AuditType,
    transition,
    transition_where,
)

LOG = logging.getLogger(__name__)
PLAN_ONGOING = "Audit cancelled: an action plan is ONGOING and the audit is not forced."


@dataclass(frozen=True)
class AuditResult:
    state: str
    action_plan_uuid: str | None = None


def _claim(audit: Audit) -> bool:
    """PENDING → ONGOING (EVENT audits also from SUCCEEDED). False if the audit is not ours.

    A CONTINUOUS audit stays ONGOING between runs; its runs are claimed by the scheduler
    (``continuous.claim_due_audits``), so an ONGOING one just runs again. When a plan is
    ONGOING and the audit is not forced, a ONESHOT audit is CANCELLED and the others skip this
    run (a CONTINUOUS audit tries again at its next due time).
    """
    claimable = (
        TRIGGERABLE_AUDIT_STATES if audit.audit_type == AuditType.EVENT else {AuditState.PENDING}
    )
    with session_scope() as session:
        if not audit.force and session.scalar(
            select(exists().where(ActionPlan.state == ActionPlanState.ONGOING))
        ):
            if audit.audit_type == AuditType.ONESHOT:
                transition_where(
                    session,
                    Audit,
                    AuditState.CANCELLED,
                    Actor.SERVICE,
                    Audit.uuid == audit.uuid,
                    expected=AuditState.PENDING,
                    status_message=PLAN_ONGOING,
                )
            LOG.info("audit %s skipped: an action plan is ONGOING", audit.uuid)
            return False
        if audit.audit_type == AuditType.CONTINUOUS and audit.state == AuditState.ONGOING:
            return True
        try:
            transition(
                session,
                Audit,
                audit.uuid,
                AuditState.ONGOING,
                Actor.SERVICE,
                expected=claimable,
                hostname=get_settings().host,
                status_message=None,
            )
        except IllegalTransition:
            # Re-delivered after a worker died mid-run: take over if no plan was written.
            return audit.state == AuditState.ONGOING and not session.scalar(
                select(exists().where(ActionPlan.audit_id == audit.id))
            )
    return True


def _fail(audit_uuid: str, message: str) -> AuditResult:
    with session_scope() as session:
        transition_where(
            session,
            Audit,
            AuditState.FAILED,
            Actor.SERVICE,
            Audit.uuid == audit_uuid,
            expected=AuditState.ONGOING,
            status_message=message,
        )
    return AuditResult(AuditState.FAILED)


def run_audit(audit_uuid: str) -> AuditResult:
    """Run one audit to its plan; errors end the audit FAILED with a readable message."""
    with session_scope() as session:
        audit = session.scalars(select(Audit).where(Audit.uuid == audit_uuid)).one_or_none()
    if audit is None:
        return AuditResult(AuditState.DELETED)
    with run_lock.audit_run(audit.id) as ours:
        if not ours:
            LOG.info("audit %s is being run by another worker: this delivery is a copy", audit_uuid)
            return AuditResult(audit.state)
        try:
            return _run(audit)
        finally:
            if audit.audit_type == AuditType.CONTINUOUS:
                end_run(audit_uuid)


def _run(audit: Audit) -> AuditResult:
    audit_uuid = audit.uuid
    if not _claim(audit):
        with session_scope() as session:
            state = session.scalar(select(Audit.state).where(Audit.uuid == audit_uuid))
        return AuditResult(state or AuditState.DELETED)
    try:
        with gc_paused():  # the audit's objects hold no cycles (decision_engine/gc_pause.py)
            return _plan_audit(audit)
    except WatcherCeleryError as exc:
        LOG.info("audit %s failed: %s", audit_uuid, exc)
        return _fail(audit_uuid, str(exc))
    except Exception as exc:
        LOG.exception("audit %s failed", audit_uuid)
        return _fail(audit_uuid, f"{type(exc).__name__}: {exc}")


def _plan_audit(audit: Audit) -> AuditResult:
    registry = get_registry()
    strategy = select_strategy(
        registry, audit.goal.name, audit.strategy.name if audit.strategy else None
    )
    goal = registry.goal(strategy.goal)
    params = parameters.validate(strategy.parameters_schema, audit.parameters)
    context = build_context(audit, strategy, params)
    with STRATEGY_SECONDS.labels(strategy.name).time():
        solution = strategy.execute(context)
    rows = efficacy.indicators(goal, solution.indicators)
    overall = efficacy.global_efficacy(goal, solution.indicators)
    planned = registry.planner(strategy.planner).plan(solution.actions)

    with session_scope() as session:
        strategy_row = session.scalars(
            select(Strategy).where(Strategy.name == strategy.name, Strategy.deleted == 0)
        ).one()
        audit_row = session.get(Audit, audit.id)
        if audit.audit_type == AuditType.CONTINUOUS:
            transition_where(
                session,
                ActionPlan,
                ActionPlanState.CANCELLED,
                Actor.SERVICE,
                ActionPlan.audit_id == audit.id,
                expected=ActionPlanState.RECOMMENDED,
            )
            # A cancelled plan keeps no PENDING action.
            transition_where(
                session,
                Action,
                ActionState.CANCELLED,
                Actor.SERVICE,
                Action.action_plan_id.in_(
                    select(ActionPlan.id).where(
                        ActionPlan.audit_id == audit.id,
                        ActionPlan.state == ActionPlanState.CANCELLED,
                    )
                ),
                expected=ActionState.PENDING,
            )
        plan = save_plan(session, audit_row, strategy_row, planned, rows, overall)
        launch = audit.auto_trigger and plan.state == ActionPlanState.RECOMMENDED
        if launch:
            transition(
                session,
                ActionPlan,
                plan.uuid,
                ActionPlanState.PENDING,
                Actor.SERVICE,
                expected=ActionPlanState.RECOMMENDED,
            )
        audit_row.parameters = params
        if audit_row.strategy_id is None:
            audit_row.strategy_id = strategy_row.id
        final = AuditState.ONGOING
        if audit.audit_type != AuditType.CONTINUOUS:
            transition(
                session,
                Audit,
                audit.uuid,
                AuditState.SUCCEEDED,
                Actor.SERVICE,
                expected=AuditState.ONGOING,
            )
            final = AuditState.SUCCEEDED
        if launch:
            # Launched in the plan's own transaction: a worker dying now cannot lose it.
            dispatch.launch_action_plan(session, plan.uuid)
    return AuditResult(final, plan.uuid)
