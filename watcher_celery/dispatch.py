"""Messages between services: send a task by name with a UUID, nothing else.

The API uses these after its transaction commits; the tasks re-read the database.
"""

from __future__ import annotations

from watcher_celery.celery_app import app

RUN_AUDIT = "watcher.decision_engine.run_audit"
LAUNCH_ACTION_PLAN = "watcher.applier.launch_action_plan"
CANCEL_ACTION_PLAN = "watcher.applier.cancel_action_plan"
# Questions the API asks the decision engine and waits for (api/data_model/ask.py).
BUILD_DATA_MODEL = "watcher.decision_engine.build_data_model"
STRATEGY_STATE = "watcher.decision_engine.strategy_state"


def run_audit(audit_uuid: str) -> None:
    app.send_task(RUN_AUDIT, args=[audit_uuid])


def launch_action_plan(action_plan_uuid: str) -> None:
    app.send_task(LAUNCH_ACTION_PLAN, args=[action_plan_uuid])


def cancel_action_plan(action_plan_uuid: str) -> None:
    app.send_task(CANCEL_ACTION_PLAN, args=[action_plan_uuid])
