"""The Watcher domain objects as SQLAlchemy 2 models.

Soft delete: ``deleted_at`` is set and ``deleted`` takes the row's id, so a unique constraint on
``(name, deleted)`` keeps names unique among live rows only (live rows all have ``deleted = 0``).
"""

from __future__ import annotations

import os
import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from watcher_celery.db.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def new_uuids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as :func:`new_uuid` writes them, for a whole plan
    at once: formatting the hex of one random block is several times cheaper than ``count``
    ``UUID`` objects."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes(0x40 | (b & 0x0F) for b in raw[6::16])  # version 4
    raw[8::16] = bytes(0x80 | (b & 0x3F) for b in raw[8::16])  # RFC 4122 variant
    text = raw.hex()
    return [
        f"{text[i : i + 8]}-{text[i + 8 : i + 12]}-{text[i + 12 : i + 16]}-"
        f"{text[i + 16 : i + 20]}-{text[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def soft_delete(self) -> None:
        """Hide the row from the API and free its name for reuse."""
        self.deleted_at = utcnow()
        self.deleted = self.id  # type: ignore[attr-defined]


class Goal(TimestampMixin, Base):
    __tablename__ = "goals"
    __table_args__ = (UniqueConstraint("name", "deleted", name="uniq_goals0name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(63))
    display_name: Mapped[str] = mapped_column(String(63))
    efficacy_specification: Mapped[list[Any]] = mapped_column(default=list)


class Strategy(TimestampMixin, Base):
    __tablename__ = "strategies"
    __table_args__ = (UniqueConstraint("name", "deleted", name="uniq_strategies0name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(63))
    display_name: Mapped[str] = mapped_column(String(63))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"))
    parameters_spec: Mapped[dict[str, Any]] = mapped_column(default=dict)

    goal: Mapped[Goal] = relationship(lazy="joined")


class AuditTemplate(TimestampMixin, Base):
    __tablename__ = "audit_templates"
    __table_args__ = (UniqueConstraint("name", "deleted", name="uniq_audit_templates0name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(63))
    description: Mapped[str | None] = mapped_column(String(255))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"))
    strategy_id: Mapped[int | None] = mapped_column(ForeignKey("strategies.id"))
    scope: Mapped[list[Any]] = mapped_column(default=list)
    default_parameters: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    goal: Mapped[Goal] = relationship(lazy="joined")
    strategy: Mapped[Strategy | None] = relationship(lazy="joined")


class Audit(TimestampMixin, Base):
    __tablename__ = "audits"
    __table_args__ = (UniqueConstraint("name", "deleted", name="uniq_audits0name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(63))
    audit_type: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), index=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    interval: Mapped[str | None] = mapped_column(String(36))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"))
    strategy_id: Mapped[int | None] = mapped_column(ForeignKey("strategies.id"))
    scope: Mapped[list[Any]] = mapped_column(default=list)
    auto_trigger: Mapped[bool] = mapped_column(Boolean, default=False)
    next_run_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set while a scheduled run of a CONTINUOUS audit is in progress (see continuous.py).
    run_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hostname: Mapped[str | None] = mapped_column(String(255))
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    force: Mapped[bool] = mapped_column(Boolean, default=False)
    status_message: Mapped[str | None] = mapped_column(Text)

    goal: Mapped[Goal] = relationship(lazy="joined")
    strategy: Mapped[Strategy | None] = relationship(lazy="joined")


class ActionPlan(TimestampMixin, Base):
    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategies.id"))
    state: Mapped[str] = mapped_column(String(20), index=True)
    global_efficacy: Mapped[list[Any] | None] = mapped_column(JSON)
    hostname: Mapped[str | None] = mapped_column(String(255))
    status_message: Mapped[str | None] = mapped_column(Text)

    audit: Mapped[Audit] = relationship(lazy="joined")
    strategy: Mapped[Strategy] = relationship(lazy="joined")
    efficacy_indicators: Mapped[list[EfficacyIndicator]] = relationship(
        lazy="selectin",
        order_by="EfficacyIndicator.id",
        primaryjoin="and_(ActionPlan.id == EfficacyIndicator.action_plan_id, "
        "EfficacyIndicator.deleted == 0)",
        viewonly=True,
    )


class Action(TimestampMixin, Base):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    action_plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id"), index=True)
    action_type: Mapped[str] = mapped_column(String(255))
    input_parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(20), index=True)
    parents: Mapped[list[Any]] = mapped_column(default=list)
    status_message: Mapped[str | None] = mapped_column(Text)
    # The Celery task id the applier dispatched this action under; set by the conditional
    # claim so each action is dispatched once, and used to revoke it on cancel.
    task_id: Mapped[str | None] = mapped_column(String(36))

    action_plan: Mapped[ActionPlan] = relationship(lazy="joined")
    description_row: Mapped[ActionDescription | None] = relationship(
        lazy="selectin",
        primaryjoin="and_(foreign(Action.action_type) == ActionDescription.action_type, "
        "ActionDescription.deleted == 0)",
        viewonly=True,
        uselist=False,
    )


class EfficacyIndicator(TimestampMixin, Base):
    __tablename__ = "efficacy_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(63))
    description: Mapped[str | None] = mapped_column(String(255))
    unit: Mapped[str | None] = mapped_column(String(63))
    value: Mapped[float | None] = mapped_column(Float)
    action_plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id"), index=True)


class ScoringEngine(TimestampMixin, Base):
    __tablename__ = "scoring_engines"
    __table_args__ = (UniqueConstraint("name", "deleted", name="uniq_scoring_engines0name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(63))
    description: Mapped[str | None] = mapped_column(String(255))
    metainfo: Mapped[str | None] = mapped_column(Text)


class Service(TimestampMixin, Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("host", "name", "deleted", name="uniq_services0host0name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    host: Mapped[str] = mapped_column(String(255))
    last_seen_up: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ActionDescription(TimestampMixin, Base):
    __tablename__ = "action_descriptions"
    __table_args__ = (
        UniqueConstraint("action_type", "deleted", name="uniq_action_descriptions0action_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_type: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255))


class ActionExecution(Base):
    """The applier's durable record of one action's command: when it was sent, by which worker,
    when it finished. It survives a worker killed mid-action, so a re-delivered action asks its
    record (and the cloud) instead of sending the command a second time."""

    __tablename__ = "action_executions"

    action_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    worker: Mapped[str] = mapped_column(String(255))
    commands_sent: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(20))
    # What the action saw of its resource just before the command, for revert.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Event(Base):
    """One emitted event (``action.execution.end`` ...), written in the transaction of the
    change it reports: the embedded outbox operators can read, also published after commit."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(63), index=True)
    priority: Mapped[str] = mapped_column(String(10))
    publisher_id: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Indexed for the retention sweep (events.prune), which deletes the oldest rows.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class OutboxMessage(Base):
    """Work the API (or a task) accepted, written in the transaction of the state change that
    asks for it; the relay (``watcher_celery.outbox``) sends it to the broker and marks it sent.
    A row claimed by a relay that died is claimed again once ``claimed_at`` is old."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(255))
    target_uuid: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Indexed: the relay reads the unsent rows, the sweeper prunes the old sent ones.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The API request that asked for it (X-OpenStack-Request-Id), sent as a task header.
    request_id: Mapped[str | None] = mapped_column(String(64))
