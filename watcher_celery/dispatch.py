"""Messages between services: a task by name with a UUID, nothing else.

Work the API accepts is not sent here: it is written to the outbox in the caller's transaction
(:mod:`watcher_celery.outbox`) and the relay delivers it, so a commit without its message (API
killed, broker down) cannot happen. The tasks re-read the database.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from watcher_celery.outbox import enqueue

RUN_AUDIT = "watcher.decision_engine.run_audit"
LAUNCH_ACTION_PLAN = "watcher.applier.launch_action_plan"
CANCEL_ACTION_PLAN = "watcher.applier.cancel_action_plan"
# Questions the API asks the decision engine and waits for (api/data_model/ask.py).
BUILD_DATA_MODEL = "watcher.decision_engine.build_data_model"
STRATEGY_STATE = "watcher.decision_engine.strategy_state"
CLUSTER_LOADS = "watcher.decision_engine.cluster_loads"


def run_audit(session: Session, audit_uuid: str) -> None:
    enqueue(session, RUN_AUDIT, audit_uuid)


def launch_action_plan(session: Session, action_plan_uuid: str) -> None:
    enqueue(session, LAUNCH_ACTION_PLAN, action_plan_uuid)


def cancel_action_plan(session: Session, action_plan_uuid: str) -> None:
    enqueue(session, CANCEL_ACTION_PLAN, action_plan_uuid)
