"""What a task is about: the audit, plan or action its arguments name.

Tasks take UUIDs (``run_audit(audit_uuid)``, ``execute_action(action_uuid)`` ...); this table says
which kind each first argument is, so the logs and Flower can name the object instead of only a
task id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

AUDIT, PLAN, ACTION = "audit", "plan", "action"

# Task name -> the kind of object its first argument is.
FIRST_ARGUMENT = {
    "watcher.decision_engine.run_audit": AUDIT,
    "watcher.decision_engine.build_data_model": AUDIT,
    "watcher.applier.launch_action_plan": PLAN,
    "watcher.applier.cancel_action_plan": PLAN,
    "watcher.applier.advance_plan": PLAN,
    "watcher.applier.execute_action": ACTION,
}
# on_action_error receives link_error's ``{"action": uuid}``.
FAILURE_CALLBACK = "watcher.applier.on_action_error"
EXECUTE_ACTION = "watcher.applier.execute_action"


def subject_of(task: str, args: Sequence[Any] | None, kwargs: Mapping | None) -> dict[str, str]:
    """``{"audit": uuid}``, ``{"plan": uuid}`` or ``{"action": uuid}`` (empty when none)."""
    args = list(args or ())
    kind = FIRST_ARGUMENT.get(task)
    if kind and args and isinstance(args[0], str):
        return {kind: args[0]}
    if task == FAILURE_CALLBACK and args and isinstance(args[0], Mapping):
        action = args[0].get("action")
        return {ACTION: action} if isinstance(action, str) else {}
    for key in ("audit_uuid", "plan_uuid", "action_uuid"):
        value = (kwargs or {}).get(key)
        if isinstance(value, str):
            return {key.split("_")[0]: value}
    return {}


def describe(subject: Mapping[str, str]) -> str:
    """``"plan=<uuid>"``, ready for Flower's argument column or a log line."""
    return " ".join(f"{kind}={uuid}" for kind, uuid in subject.items())
