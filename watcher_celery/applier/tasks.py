"""Applier tasks. They take UUIDs, re-read the database and call the applier's functions."""

from __future__ import annotations

from watcher_celery.applier.cancel import wind_down
from watcher_celery.applier.canvas import ADVANCE_AFTER_LEAF, EXECUTE_ACTION, ON_ACTION_ERROR, send
from watcher_celery.applier.execution import load_action, run_action
from watcher_celery.applier.failure import claimed_after, handle_failure, release_claims
from watcher_celery.applier.launch import launch
from watcher_celery.applier.progress import advance_plan, others_unfinished
from watcher_celery.applier.recovery import reclaim_abandoned_plans
from watcher_celery.celery_app import app
from watcher_celery.dispatch import CANCEL_ACTION_PLAN
from watcher_celery.errors import ActionFailed
from watcher_celery.events import prune_expired

RECLAIM_ABANDONED_PLANS = "watcher.applier.reclaim_abandoned_plans"


@app.task(name="watcher.applier.launch_action_plan", ignore_result=True)
def launch_action_plan(plan_uuid: str) -> None:
    if launch(plan_uuid):
        send(advance_plan(plan_uuid))


# A failed action is expected: Celery logs it as such (INFO, no traceback) and its errback
# logs the reason and the revert as one WARNING line.
@app.task(bind=True, name=EXECUTE_ACTION, ignore_result=True, throws=(ActionFailed,))
def execute_action(self, action_uuid: str, advance: str | None = None) -> str:
    """Run the action; the last of a run (``advance`` set by the canvas) then advances the
    plan. A failure raises instead, and its errback advances."""
    outcome = run_action(action_uuid, self.request.id)
    plan_uuid = outcome.plan_uuid
    if plan_uuid and (outcome.cancelling or advance):
        # Cancelling: the rest of this chain may have been revoked; finish the plan from here.
        if outcome.cancelling or advance != ADVANCE_AFTER_LEAF or not others_unfinished(plan_uuid):
            send(advance_plan(plan_uuid))
    return outcome.state


@app.task(name=ON_ACTION_ERROR, ignore_result=True)
def on_action_error(failure: dict) -> None:
    """Queued by ``link_error`` with ``{"action": uuid}``; reads the action once."""
    action = load_action(failure["action"])
    if action is None:
        return
    handle_failure(action)
    release_claims(claimed_after(action))
    plan_uuid = action.action_plan.uuid
    send(advance_plan(plan_uuid))


@app.task(name="watcher.applier.advance_plan", ignore_result=True)
def advance_plan_task(plan_uuid: str, after_leaf: bool = False) -> None:
    """An advance on its own: chains sent before runs advanced from their last step end in
    one, so it stays for them (and for operators' tools)."""
    if after_leaf and others_unfinished(plan_uuid):
        return
    send(advance_plan(plan_uuid))


@app.task(name=CANCEL_ACTION_PLAN, ignore_result=True)
def cancel_action_plan(plan_uuid: str) -> None:
    wind_down(plan_uuid)
    send(advance_plan(plan_uuid))


@app.task(name=RECLAIM_ABANDONED_PLANS, ignore_result=True)
def reclaim_abandoned_plans_task() -> None:
    reclaim_abandoned_plans()


@app.task(name="watcher.applier.prune_events", ignore_result=True)
def prune_events_task() -> None:
    prune_expired()
