"""The worker's task prologue and epilogue, and what every published task carries.

Connected to Celery signals from ``celery_app.HANDLERS``:

* publishing (any process): the message's ``argsrepr`` names the audit, plan or action
  (Flower's argument column), and the request id of the API call that caused it travels as the
  ``request_id`` header;
* prologue (worker): the log context gets the task, its subject and that request id, so every
  line the task logs names them; an action's start is one INFO line with its type, instance and
  hosts;
* epilogue (worker): the action's end line with its outcome, the durations observed
  (``watcher_celery.metrics``), the context dropped.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select

from watcher_celery import logcontext
from watcher_celery.config import get_settings
from watcher_celery.db import Action, ActionPlan, Audit, session_scope
from watcher_celery.db.models import Strategy
from watcher_celery.metrics import ACTION_SECONDS, AUDIT_SECONDS
from watcher_celery.subjects import ACTION, EXECUTE_ACTION, describe, subject_of

LOG = logging.getLogger("watcher_celery.tasks")
RUN_AUDIT = "watcher.decision_engine.run_audit"
HEADER = "request_id"
# Action types whose resource_id is an instance (the others name a host, a volume ...).
INSTANCE_ACTIONS = frozenset({"migrate", "resize", "stop", "start", "volume_migrate"})
# task id -> (log context token, monotonic start, action description)
_running: dict[str, tuple] = {}


def install_logging(logger=None, **_kwargs) -> None:
    """``after_setup_logger`` / ``after_setup_task_logger``: the one format on every handler."""
    logcontext.install(logger, get_settings().log_json)


def name_the_subject(sender=None, body=None, headers=None, **_kwargs) -> None:
    """``before_task_publish``: ``argsrepr`` says what the task is about; the request id rides
    along as a header."""
    if headers is None:
        return
    args, kwargs = (
        (body[0], body[1]) if isinstance(body, tuple | list) and len(body) >= 2 else ((), {})
    )
    subject = subject_of(headers.get("task") or sender or "", args, kwargs)
    if subject:
        headers["argsrepr"] = describe(subject)
    request_id = logcontext.current().get("request_id")
    if request_id and not headers.get(HEADER):
        headers[HEADER] = request_id


def _request_id_of(task) -> str | None:
    value = getattr(task.request, HEADER, None)
    if value is None and isinstance(getattr(task.request, "headers", None), dict):
        value = task.request.headers.get(HEADER)
    return value if logcontext.valid_request_id(value) else None


def describe_action(action_uuid: str) -> tuple[dict[str, str], str]:
    """The action's plan (for the context) and its one-line description (for start / end)."""
    with session_scope() as session:
        row = session.execute(
            select(Action.action_type, Action.input_parameters, ActionPlan.uuid)
            .join(ActionPlan, Action.action_plan_id == ActionPlan.id)
            .where(Action.uuid == action_uuid)
        ).first()
    if row is None:
        return {}, "unknown"
    action_type, params, plan_uuid = row
    params = params or {}
    resource = "instance" if action_type in INSTANCE_ACTIONS else "resource"
    parts = [action_type]
    for label, key in (
        (resource, "resource_id"),
        ("name", "resource_name"),
        ("source", "source_node"),
        ("destination", "destination_node"),
        ("state", "state"),
        ("migration_type", "migration_type"),
    ):
        if params.get(key) not in (None, ""):
            parts.append(f"{label}={params[key]}")
        elif key == "destination_node" and action_type == "migrate":
            parts.append(f"{label}=(scheduler)")  # Nova's scheduler chooses
    return {"plan": plan_uuid}, " ".join(parts)


def prologue(task_id=None, task=None, args=None, kwargs=None, **_kwargs) -> None:
    """``task_prerun``: bind the context; announce an action's start."""
    subject = subject_of(task.name, args, kwargs)
    described = None
    if task.name == EXECUTE_ACTION and subject.get(ACTION):
        plan, described = describe_action(subject[ACTION])
        subject = {**plan, **subject}
    token = logcontext.bind(
        request_id=_request_id_of(task),
        task=f"{task.name.rsplit('.', 1)[-1]}[{(task_id or '')[:8]}]",
        **subject,
    )
    _running[task_id] = (token, time.monotonic(), described)
    if described:
        LOG.info("action start: %s", described)


def epilogue(task_id=None, task=None, args=None, retval=None, state=None, **_kwargs) -> None:
    """``task_postrun``: the action's end line and the durations; the context dropped."""
    token, started, described = _running.pop(task_id, (None, time.monotonic(), None))
    elapsed = time.monotonic() - started
    try:
        if described:
            failed = state != "SUCCESS"
            outcome = "FAILED" if failed else str(retval)
            reason = f": {retval}" if failed and retval else ""
            LOG.info("action end: %s outcome=%s%s", described, outcome, reason)
            ACTION_SECONDS.labels(described.split(" ", 1)[0], outcome).observe(elapsed)
        elif task.name == RUN_AUDIT and args:
            ended = str(retval) if state == "SUCCESS" else "FAILED"
            AUDIT_SECONDS.labels(_strategy_of(args[0]), ended).observe(elapsed)
    finally:
        if token is not None:
            logcontext.reset(token)


def _strategy_of(audit_uuid: str) -> str:
    with session_scope() as session:
        name = session.scalar(
            select(Strategy.name)
            .join(Audit, Audit.strategy_id == Strategy.id)
            .where(Audit.uuid == audit_uuid)
        )
    return name or ""


def quiet_periodic_tasks(sender=None, **_kwargs) -> None:
    """``worker_init``: beat's ticks send no task events, so Flower's history keeps the work
    (audits, plans, actions) instead of thousands of ticks an hour. Their failures still log."""
    if get_settings().flower_show_ticks:
        return
    app = sender.app
    for entry in app.conf.beat_schedule.values():
        task = app.tasks.get(entry["task"])
        if task is not None:
            task.send_events = False


def beat_sends_no_sent_events(sender=None, **_kwargs) -> None:
    """``beat_init``: beat's own publications (its ticks) make no ``task-sent`` event either."""
    if not get_settings().flower_show_ticks:
        sender.app.conf.task_send_sent_event = False
