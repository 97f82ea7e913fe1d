"""Decision-engine tasks: take an audit UUID, run it, launch its plan if auto_trigger is set."""

from __future__ import annotations

from watcher_celery import dispatch
from watcher_celery.celery_app import app
from watcher_celery.db import session_scope
from watcher_celery.decision_engine.audit_flow import run_audit as run_audit_flow
from watcher_celery.decision_engine.continuous import claim_due_audits
from watcher_celery.decision_engine.expiry import supersede_expired_plans as supersede
from watcher_celery.decision_engine.questions import data_model_rows, strategy_state_entries

SCHEDULE_CONTINUOUS_AUDITS = "watcher.decision_engine.schedule_continuous_audits"


@app.task(name=dispatch.RUN_AUDIT, ignore_result=True)
def run_audit(audit_uuid: str) -> str:
    """Run the audit; with auto_trigger its plan's launch is written with the plan (outbox)."""
    return run_audit_flow(audit_uuid).state


@app.task(name="watcher.decision_engine.supersede_expired_plans", ignore_result=True)
def supersede_expired_plans() -> int:
    return supersede()


# --- questions the API asks and waits for (api/data_model/ask.py) -----------------------------


@app.task(name=dispatch.BUILD_DATA_MODEL, acks_late=False)
def build_data_model(audit_uuid: str | None = None) -> dict:
    """``{"value": rows}`` of the compute model (the audit's scope applied), or ``{"error"}``."""
    return data_model_rows(audit_uuid)


@app.task(name=dispatch.STRATEGY_STATE, acks_late=False)
def strategy_state(strategy_name: str) -> dict:
    """``{"value": entries}`` for ``/strategies/{id}/state``, or ``{"error"}``."""
    return strategy_state_entries(strategy_name)


@app.task(name=dispatch.CLUSTER_LOADS, acks_late=False)
def cluster_loads(instance_uuids: list[str]) -> dict:
    """``{"value": {"hosts", "instances"}}`` for the dashboard's heat map, or ``{"error"}``."""
    from watcher_celery.decision_engine.questions import cluster_loads as loads

    return loads(instance_uuids)


@app.task(name=SCHEDULE_CONTINUOUS_AUDITS, ignore_result=True)
def schedule_continuous_audits() -> int:
    """Beat entry: send ``run_audit`` for every CONTINUOUS audit that is due (continuous.py)."""
    return len(claim_due_audits(_ask_run))


def _ask_run(audit_uuid: str) -> None:
    """A claimed continuous run goes through the outbox like the API's audits."""
    with session_scope() as session:
        dispatch.run_audit(session, audit_uuid)
