"""Decision-engine tasks: take an audit UUID, run it, launch its plan if auto_trigger is set."""

from __future__ import annotations

from watcher_celery import dispatch
from watcher_celery.celery_app import app
from watcher_celery.decision_engine.audit_flow import run_audit as run_audit_flow


@app.task(name=dispatch.RUN_AUDIT, ignore_result=True)
def run_audit(audit_uuid: str) -> str:
    result = run_audit_flow(audit_uuid)
    if result.auto_trigger and result.action_plan_uuid:
        dispatch.launch_action_plan(result.action_plan_uuid)
    return result.state


@app.task(name="watcher.decision_engine.supersede_expired_plans", ignore_result=True)
def supersede_expired_plans() -> int:
    from watcher_celery.decision_engine.expiry import supersede_expired_plans as supersede

    return supersede()
