"""What an event says of an audit, an action plan or an action (``docs/events.md``).

Each payload is read with one narrow Core SELECT: loading the ORM row would join the plan,
audit, strategy and goal (their eager relationships) for a handful of fields. The state layer
(``states.py``) reads them around every transition; the applier also reads an action's payload
together with what it needs to decide its fate, and passes it back as ``current``.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from watcher_celery.db.models import Action, ActionPlan, Audit, Goal, Strategy

ACTION_COLUMNS = (
    Action.uuid,
    Action.action_type,
    Action.input_parameters,
    Action.state,
    Action.parents,
    ActionPlan.uuid.label("action_plan_uuid"),
    Action.status_message,
)
ACTION_KEYS = tuple(column.key for column in ACTION_COLUMNS)

# Watcher's versioned-notification names: the payload's object name and the event prefix.
OBJECT_NAMES = {Audit: "AuditPayload", ActionPlan: "ActionPlanPayload", Action: "ActionPayload"}
EVENT_PREFIXES = {Audit: "audit", ActionPlan: "action_plan", Action: "action"}


def _audits() -> Select:
    return (
        select(
            Audit.uuid,
            Audit.name,
            Audit.audit_type,
            Audit.state,
            Audit.interval,
            Audit.auto_trigger,
            Goal.uuid.label("goal_uuid"),
            Goal.name.label("goal_name"),
            Strategy.uuid.label("strategy_uuid"),
            Strategy.name.label("strategy_name"),
            Audit.status_message,
        )
        .join(Goal, Audit.goal_id == Goal.id)
        .outerjoin(Strategy, Audit.strategy_id == Strategy.id)
    )


def _plans() -> Select:
    return (
        select(
            ActionPlan.uuid,
            ActionPlan.state,
            Audit.uuid.label("audit_uuid"),
            Strategy.uuid.label("strategy_uuid"),
            Strategy.name.label("strategy_name"),
            ActionPlan.status_message,
        )
        .join(Audit, ActionPlan.audit_id == Audit.id)
        .join(Strategy, ActionPlan.strategy_id == Strategy.id)
    )


def _actions() -> Select:
    return select(*ACTION_COLUMNS).join(ActionPlan, Action.action_plan_id == ActionPlan.id)


SELECTS = {Audit: _audits, ActionPlan: _plans, Action: _actions}


def select_payloads(model: type) -> Select:
    """The SELECT of ``model``'s payloads; the caller adds its WHERE (and columns)."""
    return SELECTS[model]()


def select_payload(model: type, uuid: str) -> Select:
    """The SELECT of one object's payload."""
    return select_payloads(model).where(model.uuid == uuid)


def read_payload(session: Session, model: type, uuid: str) -> dict | None:
    """The payload of one audit, plan or action as the database has it now."""
    row = session.execute(select_payload(model, uuid)).one_or_none()
    return dict(row._mapping) if row is not None else None


def action_payload(row) -> dict:
    """The action payload part of a row read with :data:`ACTION_COLUMNS` (and more)."""
    mapping = row._mapping
    return {key: mapping[key] for key in ACTION_KEYS}
