"""Validating and writing a new audit (reference §1.3 Audits, POST)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from croniter import croniter
from sqlalchemy.orm import Session

from watcher_celery.api import microversion, validation
from watcher_celery.api.smorest import get_or_404
from watcher_celery.db import Audit, AuditTemplate
from watcher_celery.db.types import as_utc
from watcher_celery.errors import Invalid
from watcher_celery.states import AuditState, AuditType

READ_ONLY = ("state", "scope", "hostname")
NAME_LENGTH = 63


def check_interval(interval: str) -> None:
    """An interval is whole seconds (> 0) or a five-field cron expression."""
    if interval.strip().isdigit():
        if int(interval) <= 0:
            raise Invalid("Interval must be a positive number of seconds")
        return
    if len(interval.split()) != 5 or not croniter.is_valid(interval):
        raise Invalid(f"Interval '{interval}' is neither a number of seconds nor a valid cron")


def _generated_name(prefix: str) -> str:
    """``<prefix>-<UTC timestamp>``, the prefix shortened so the timestamp always fits: two
    audits from a template with a long name get different names, not a 409."""
    stamp = datetime.now(UTC).isoformat()
    return f"{prefix[: NAME_LENGTH - len(stamp) - 1]}-{stamp}"


def _times(data: dict[str, Any], audit_type: str) -> None:
    given = [k for k in ("start_time", "end_time") if data.get(k) is not None]
    if given and not microversion.at_least(1):
        raise microversion.too_old(" and ".join(given), 1)
    if given and audit_type == AuditType.ONESHOT:
        raise Invalid(f"Start or End time of audit must not be set for {audit_type}.")
    for key in given:
        value = data[key]
        data[key] = as_utc(value)
    if len(given) == 2 and data["start_time"] >= data["end_time"]:
        raise Invalid("start_time must be before end_time")


def _goal_and_strategy(session: Session, data: dict[str, Any]):
    template = None
    if data.get("audit_template_uuid") and data.get("goal"):
        raise Invalid("Either audit_template_uuid or goal should be provided.")
    if data.get("audit_template_uuid"):
        template = get_or_404(
            session, AuditTemplate, data["audit_template_uuid"], "AuditTemplate", by_name=False
        )
    elif not data.get("goal"):
        raise Invalid("A valid goal or audit_template_id must be provided")
    goal, strategy = validation.goal_and_strategy(
        session,
        template.goal if template else data["goal"],
        data.get("strategy") or (template.strategy if template else None),
    )
    return template, goal, strategy


def build_audit(session: Session, data: dict[str, Any]) -> Audit:
    """Check a create body and return the new (unsaved) PENDING audit."""
    for key in READ_ONLY:
        if key in data:
            raise Invalid(f"Cannot set read only field: {key}")
    try:
        audit_type = AuditType(data["audit_type"])
    except ValueError:
        raise Invalid(
            f"Audit type {data['audit_type']} could not be found; audit_type is one of "
            f"{', '.join(t.value for t in AuditType)}"
        ) from None
    interval = data.get("interval")
    if audit_type == AuditType.CONTINUOUS and not interval:
        raise Invalid("Interval of audit must be specified for CONTINUOUS.")
    if audit_type != AuditType.CONTINUOUS and interval:
        raise Invalid(f"Interval of audit must not be set for {audit_type}.")
    if interval:
        check_interval(interval)
    _times(data, audit_type)

    template, goal, strategy = _goal_and_strategy(session, data)
    params = dict((template.default_parameters or {}) if template else {})
    params.update(data.get("parameters") or {})
    params = validation.parameters(strategy, params)

    name = data.get("name") or _generated_name(
        strategy.name if strategy else (template.name if template else goal.name)
    )
    return Audit(
        name=name,
        audit_type=audit_type,
        state=AuditState.PENDING,
        parameters=params,
        interval=interval,
        goal_id=goal.id,
        strategy_id=strategy.id if strategy else None,
        scope=list(template.scope) if template else [],
        auto_trigger=data.get("auto_trigger", False),
        start_time=data.get("start_time"),
        end_time=data.get("end_time"),
        force=data.get("force", False),
    )
