"""Advancing a plan: find the actions whose parents are done, claim them, finish the plan.

Advancing is idempotent: each ready action is claimed with a conditional UPDATE on its
``task_id``, so the many callbacks that may advance one plan at the same moment dispatch every
action exactly once. A ready action is claimed together with the linear run that follows it
(each next action being the only child of the previous one and having no other parent): the run
goes to Celery as one chain. The plan is finished by the advance that finds nothing left to run.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from watcher_celery.applier import dag
from watcher_celery.applier.cancel import announce, cancel_pending_actions
from watcher_celery.applier.changes import move_action, move_plan
from watcher_celery.applier.rollback import revert_succeeded
from watcher_celery.applier.rules import SKIPPED_BY_RULE, Rule, child_may_run, rule_for
from watcher_celery.config import get_settings
from watcher_celery.db import Action, ActionPlan, session_scope
from watcher_celery.errors import IllegalTransition
from watcher_celery.states import TERMINAL_ACTION_STATES, ActionPlanState, ActionState

SOME_SKIPPED = "One or more actions were skipped."
# Longest run sent as one chain. Every message of a chain carries the rest of the chain, so a
# chain of n costs O(n²) bytes; past this length an advance in between is cheaper.
MAX_RUN = 50
SOME_FAILED = "One or more actions failed."


@dataclass
class Row:
    id: int
    uuid: str
    state: str
    task_id: str | None
    parents: list[str]


@dataclass
class Advance:
    """The outcome of one advance: what to dispatch, and the plan's state afterwards."""

    plan_state: str
    runs: list[list[tuple[str, str]]] = field(default_factory=list)  # [(action uuid, task id)]
    revoked: list[str] = field(default_factory=list)
    rollback: bool = False
    leaves: set[str] = field(default_factory=set)  # run ends that have no children


def _rows(session: Session, plan_id: int) -> list[Row]:
    result = session.execute(
        select(Action.id, Action.uuid, Action.state, Action.task_id, Action.parents)
        .where(Action.action_plan_id == plan_id, Action.deleted == 0)
        .order_by(Action.id)
    )
    return [Row(*r) for r in result]


def _skip_by_rule(session: Session, rows: list[Row], rule: Rule) -> bool:
    """Under ANY, skip PENDING actions whose parents are done and not all failed."""
    states = {r.uuid: r.state for r in rows}
    changed = False
    for index, row in enumerate(rows):
        if row.state != ActionState.PENDING or row.task_id is not None:
            continue
        parent_states = [states[p] for p in row.parents if p in states]
        if all(s in TERMINAL_ACTION_STATES for s in parent_states) and not child_may_run(
            rule, parent_states
        ):
            move_action(
                session,
                row.uuid,
                ActionState.SKIPPED,
                expected=ActionState.PENDING,
                status_message=SKIPPED_BY_RULE,
            )
            rows[index] = replace(row, state=ActionState.SKIPPED)
            states[row.uuid] = ActionState.SKIPPED
            changed = True
    return changed


def _claim(session: Session, row: Row) -> str | None:
    task_id = str(uuidlib.uuid4())
    claimed = session.execute(
        update(Action)
        .where(Action.id == row.id, Action.task_id.is_(None), Action.state == ActionState.PENDING)
        .values(task_id=task_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    row.task_id = task_id
    return task_id


def _claim_run(session: Session, first: Row, task_id: str, children: dict) -> list:
    """The ready action plus the linear run after it, all claimed."""
    run, current = [(first.uuid, task_id)], first
    while len(run) < MAX_RUN and (child := dag.next_in_run(current.uuid, children)) is not None:
        if child.state != ActionState.PENDING or child.task_id is not None:
            break
        child_task = _claim(session, child)
        if child_task is None:
            break
        run.append((child.uuid, child_task))
        current = child
    return run


def _finish(session: Session, plan: ActionPlan, rows: list[Row]) -> tuple[str, bool]:
    """Move the plan to its final state; returns it and whether succeeded actions need revert."""
    states = {r.state for r in rows}
    rollback = False
    if plan.state == ActionPlanState.CANCELLING:
        target, message, events = (
            ActionPlanState.CANCELLED,
            plan.status_message,
            ["action_plan.cancel.end"],
        )
    elif ActionState.FAILED in states:
        target, message, events = (
            ActionPlanState.FAILED,
            SOME_FAILED,
            ["action_plan.execution.error"],
        )
        rollback = get_settings().rollback_when_plan_failed
    else:
        message = SOME_SKIPPED if ActionState.SKIPPED in states else None
        target, events = ActionPlanState.SUCCEEDED, ["action_plan.execution.end"]
    try:
        move_plan(
            session, plan.uuid, target, expected=plan.state, events=events, status_message=message
        )
    except IllegalTransition:
        return target, False  # another advance finished it first
    return target, rollback


def load_plan(session: Session, plan_uuid: str) -> ActionPlan:
    return session.scalars(select(ActionPlan).where(ActionPlan.uuid == plan_uuid)).one()


def others_unfinished(plan_uuid: str) -> bool:
    """After a run that ends in a leaf: is anything of this ONGOING plan still unfinished?

    If so, whatever is unfinished will advance the plan itself, and this advance has nothing
    to claim (a leaf frees no child). One COUNT instead of reading the whole plan: a
    1,000-action parallel plan would otherwise read a million rows.
    """
    with session_scope() as session:
        return bool(
            session.scalar(
                select(func.count(Action.id))
                .join(ActionPlan, Action.action_plan_id == ActionPlan.id)
                .where(
                    ActionPlan.uuid == plan_uuid,
                    ActionPlan.state == ActionPlanState.ONGOING,
                    Action.deleted == 0,
                    Action.state.not_in(list(TERMINAL_ACTION_STATES)),
                )
            )
        )


def advance_plan(plan_uuid: str) -> Advance:
    """Claim every ready action of an ONGOING plan, or finish the plan if nothing is left."""
    with session_scope() as session:
        plan = load_plan(session, plan_uuid)
        advance = Advance(plan.state)
        if plan.state == ActionPlanState.CANCELLING:
            announce(session, plan)
            advance.revoked = cancel_pending_actions(session, plan)
        elif plan.state != ActionPlanState.ONGOING:
            return advance
        rows = _rows(session, plan.id)
        if plan.state == ActionPlanState.ONGOING:
            rule = rule_for(plan.strategy.name)
            while _skip_by_rule(session, rows, rule):
                pass
            states = {r.uuid: r.state for r in rows}
            children = dag.children(rows)
            for row in rows:
                if row.state != ActionState.PENDING or row.task_id is not None:
                    continue
                if all(states.get(p) in TERMINAL_ACTION_STATES for p in row.parents):
                    task_id = _claim(session, row)
                    if task_id:
                        run = _claim_run(session, row, task_id, children)
                        advance.runs.append(run)
                        if not children.get(run[-1][0]):
                            advance.leaves.add(run[-1][0])
        if all(r.state in TERMINAL_ACTION_STATES for r in rows):
            advance.plan_state, advance.rollback = _finish(session, plan, rows)
    if advance.rollback:
        revert_succeeded(plan_uuid)
    return advance
