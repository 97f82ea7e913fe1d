"""Applier tasks. They take UUIDs, re-read the database and call the applier's functions."""

from __future__ import annotations

from celery import chain, group

from watcher_celery.applier.execution import load_action, run_action
from watcher_celery.applier.failure import handle_failure
from watcher_celery.applier.launch import launch
from watcher_celery.applier.progress import Advance, advance_plan
from watcher_celery.celery_app import app


def dispatch(plan_uuid: str, advance: Advance) -> None:
    """Send the claimed actions: each is a chain ``execute_action | advance_plan``, several
    run side by side in a group. ``link_error`` routes a failure to ``on_action_error``."""
    if not advance.dispatch:
        return
    links = [
        chain(
            execute_action.si(action_uuid)
            .set(task_id=task_id)
            .on_error(on_action_error.si(action_uuid)),
            advance_plan_task.si(plan_uuid),
        )
        for action_uuid, task_id in advance.dispatch
    ]
    (links[0] if len(links) == 1 else group(links)).apply_async()


@app.task(name="watcher.applier.launch_action_plan", ignore_result=True)
def launch_action_plan(plan_uuid: str) -> None:
    if launch(plan_uuid):
        dispatch(plan_uuid, advance_plan(plan_uuid))


@app.task(name="watcher.applier.execute_action", ignore_result=True)
def execute_action(action_uuid: str) -> str:
    return run_action(action_uuid)


@app.task(name="watcher.applier.on_action_error", ignore_result=True)
def on_action_error(action_uuid: str) -> None:
    """Queued by ``link_error`` (a one-argument errback is sent as a task, not run inline)."""
    handle_failure(action_uuid)
    action_plan_uuid = _plan_of(action_uuid)
    if action_plan_uuid:
        dispatch(action_plan_uuid, advance_plan(action_plan_uuid))


@app.task(name="watcher.applier.advance_plan", ignore_result=True)
def advance_plan_task(plan_uuid: str) -> None:
    dispatch(plan_uuid, advance_plan(plan_uuid))


def _plan_of(action_uuid: str) -> str | None:
    action = load_action(action_uuid)
    return action.action_plan.uuid if action else None
