"""Advancing a plan: find the actions whose parents are done, claim them, finish the plan.

Advancing is idempotent: each ready action is claimed with a conditional UPDATE on its
``task_id``, so the many callbacks that may advance one plan at the same moment dispatch every
action exactly once. The plan is finished by the advance that finds nothing left to run.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from watcher_celery.applier.rules import Rule, child_may_run, rule_for
from watcher_celery.db import Action, ActionPlan, session_scope
from watcher_celery.errors import IllegalTransition
from watcher_celery.states import (
    TERMINAL_ACTION_STATES,
    ActionPlanState,
    ActionState,
    Actor,
    transition,
    transition_where,
)

SKIPPED_BY_RULE = "Action was skipped: the ANY rule runs it only when its parents failed."


@dataclass
class Advance:
    """The outcome of one advance: what to dispatch, and the plan's state afterwards."""

    plan_state: str
    dispatch: list[tuple[str, str]] = field(default_factory=list)  # (action uuid, task id)


def _skip_by_rule(session: Session, actions: list[Action], rule: Rule) -> bool:
    """Under ANY, skip PENDING actions whose parents are done and not all failed."""
    states = {a.uuid: a.state for a in actions}
    changed = False
    for action in actions:
        if action.state != ActionState.PENDING or action.task_id is not None:
            continue
        parent_states = [states[p] for p in action.parents if p in states]
        if all(s in TERMINAL_ACTION_STATES for s in parent_states) and not child_may_run(
            rule, parent_states
        ):
            transition(
                session,
                Action,
                action.uuid,
                ActionState.SKIPPED,
                Actor.SERVICE,
                expected=ActionState.PENDING,
                status_message=SKIPPED_BY_RULE,
            )
            action.state = ActionState.SKIPPED
            states[action.uuid] = ActionState.SKIPPED
            changed = True
    return changed


def _claim(session: Session, action: Action) -> str | None:
    task_id = str(uuidlib.uuid4())
    claimed = session.execute(
        update(Action)
        .where(
            Action.id == action.id,
            Action.task_id.is_(None),
            Action.state == ActionState.PENDING,
        )
        .values(task_id=task_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    return task_id if claimed == 1 else None


def _finish(session: Session, plan: ActionPlan, actions: list[Action]) -> str:
    states = [a.state for a in actions]
    if plan.state == ActionPlanState.CANCELLING:
        target, message = ActionPlanState.CANCELLED, plan.status_message
    elif ActionState.FAILED in states:
        target, message = ActionPlanState.FAILED, "One or more actions failed."
    else:
        target = ActionPlanState.SUCCEEDED
        message = "One or more actions were skipped." if ActionState.SKIPPED in states else None
    try:
        transition(
            session,
            ActionPlan,
            plan.uuid,
            target,
            Actor.SERVICE,
            expected=plan.state,
            status_message=message,
        )
    except IllegalTransition:
        pass  # another advance finished it first
    return target


def load_plan(session: Session, plan_uuid: str) -> ActionPlan:
    return session.scalars(select(ActionPlan).where(ActionPlan.uuid == plan_uuid)).one()


def cancel_undispatched_actions(session: Session, plan: ActionPlan) -> int:
    """PENDING actions not yet handed to a worker become CANCELLED."""
    return transition_where(
        session,
        Action,
        ActionState.CANCELLED,
        Actor.SERVICE,
        Action.action_plan_id == plan.id,
        Action.task_id.is_(None),
        expected=ActionState.PENDING,
    )


def advance_plan(plan_uuid: str) -> Advance:
    """Claim every ready action of an ONGOING plan, or finish the plan if nothing is left."""
    with session_scope() as session:
        plan = load_plan(session, plan_uuid)
        if plan.state == ActionPlanState.CANCELLING:
            cancel_undispatched_actions(session, plan)
        elif plan.state != ActionPlanState.ONGOING:
            return Advance(plan.state)
        actions = list(
            session.scalars(
                select(Action)
                .where(Action.action_plan_id == plan.id, Action.deleted == 0)
                .order_by(Action.id)
            )
        )
        if plan.state == ActionPlanState.ONGOING:
            rule = rule_for(plan.strategy.name)
            while _skip_by_rule(session, actions, rule):
                pass
        states = {a.uuid: a.state for a in actions}
        advance = Advance(plan.state)
        for action in actions:
            if action.state != ActionState.PENDING or action.task_id is not None:
                continue
            if all(states.get(p) in TERMINAL_ACTION_STATES for p in action.parents):
                task_id = _claim(session, action)
                if task_id:
                    advance.dispatch.append((action.uuid, task_id))
        unfinished = [a for a in actions if a.state not in TERMINAL_ACTION_STATES]
        if not unfinished:
            advance.plan_state = _finish(session, plan, actions)
        return advance
