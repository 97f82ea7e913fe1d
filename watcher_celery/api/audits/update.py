"""Changing an audit by JSON-patch (reference §1.3 Audits, PATCH) and deleting it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from watcher_celery.api import microversion, validation
from watcher_celery.api.audits.create import NAME_LENGTH, check_interval
from watcher_celery.api.patch import apply, expect_types
from watcher_celery.api.transitions import move_or_400
from watcher_celery.db import Audit
from watcher_celery.db.types import as_utc
from watcher_celery.errors import Invalid
from watcher_celery.states import Actor, AuditState, AuditType, transition

REFUSED = ("audit_type", "audit_template_uuid", "status_message", "hostname", "next_run_time")
TIMES = ("start_time", "end_time")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat()


def document(audit: Audit) -> dict[str, Any]:
    """The fields a PATCH may change, as JSON values."""
    return {
        "name": audit.name,
        "state": audit.state,
        "interval": audit.interval,
        "parameters": audit.parameters,
        "auto_trigger": audit.auto_trigger,
        "force": audit.force,
        "start_time": _iso(audit.start_time),
        "end_time": _iso(audit.end_time),
    }


def _time(key: str, value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{key} must be an ISO-8601 date and time, not {value!r}") from None
    return as_utc(parsed)


def _interval(audit: Audit, interval: Any) -> str | None:
    if interval is not None and not isinstance(interval, str | int):
        raise Invalid("Interval must be a string: seconds or a cron expression")
    interval = None if interval in (None, "") else str(interval)
    if audit.audit_type == AuditType.CONTINUOUS and interval is None:
        raise Invalid("Interval of audit must be specified for CONTINUOUS.")
    if audit.audit_type != AuditType.CONTINUOUS and interval is not None:
        raise Invalid(f"Interval of audit must not be set for {audit.audit_type}.")
    if interval is not None:
        check_interval(interval)
    return interval


def _fields(audit: Audit, changes: dict[str, Any]) -> dict[str, Any]:
    """Validate every changed field except the state; return the column values to write."""
    values: dict[str, Any] = {}
    if "name" in changes:
        if not isinstance(changes["name"], str) or not changes["name"]:
            raise Invalid("An audit name must be a non-empty string")
        if len(changes["name"]) > NAME_LENGTH:
            raise Invalid(f"An audit name is at most {NAME_LENGTH} characters long")
        values["name"] = changes["name"]
    if "interval" in changes:
        values["interval"] = _interval(audit, changes["interval"])
    if "parameters" in changes:
        if not isinstance(changes["parameters"] or {}, dict):
            raise Invalid("Audit parameters must be an object")
        values["parameters"] = validation.parameters(audit.strategy, changes["parameters"])
    for key in ("auto_trigger", "force"):
        if key in changes:
            if not isinstance(changes[key], bool):
                raise Invalid(f"{key} must be true or false")
            values[key] = changes[key]
    times = {key: _time(key, changes[key]) for key in TIMES if key in changes}
    if times and not microversion.at_least(1):
        raise microversion.too_old(" and ".join(times), 1)
    if any(times.values()) and audit.audit_type == AuditType.ONESHOT:
        raise Invalid("Start or End time of audit must not be set for ONESHOT.")
    start = times.get("start_time", audit.start_time)
    end = times.get("end_time", audit.end_time)
    if start and end and _time("start_time", _iso(start)) >= _time("end_time", _iso(end)):
        raise Invalid("start_time must be before end_time")
    values.update(times)
    return values


def patch(session: Session, audit: Audit, operations: list[dict[str, Any]]) -> None:
    """Apply a JSON-patch: field changes first, then the state change through states.py."""
    changes = apply(document(audit), operations, refused=REFUSED)
    expect_types(changes, {"state": (str, type(None))})
    values = _fields(audit, changes)
    for key, value in values.items():
        setattr(audit, key, value)
    session.flush()
    if "state" not in changes:
        return
    state = changes["state"]
    if state is None:
        raise Invalid("The state of an audit can not be removed")
    if state not in set(AuditState) - {AuditState.DELETED}:
        raise Invalid(
            f"Invalid state '{state}'; DELETE the audit to delete it"
            if state == AuditState.DELETED
            else f"Invalid state '{state}'"
        )
    transition(session, Audit, audit.uuid, state, Actor.OPERATOR, expected=audit.state)


def delete(session: Session, audit: Audit) -> None:
    """Soft delete, allowed only from the states the transition table lets go to DELETED."""
    move_or_400(session, audit, AuditState.DELETED, "delete")
    audit.soft_delete()
