"""Audit schemas: the create body, the list filter and the response."""

from marshmallow import Schema, fields, validate

from watcher_celery.api.pagination import PageQuerySchema
from watcher_celery.api.views import (
    AlwaysDict,
    AlwaysList,
    ResourceSchema,
    optional_string,
    since,
)
from watcher_celery.states import AuditType


class AuditCreateSchema(Schema):
    audit_type = fields.String(required=True, metadata={"enum": [t.value for t in AuditType]})
    audit_template_uuid = fields.String()
    goal = fields.String(metadata={"description": "goal UUID or name"})
    strategy = fields.String(metadata={"description": "strategy UUID or name"})
    name = fields.String(validate=validate.Length(max=63))
    parameters = fields.Dict(load_default=dict)
    interval = fields.String(
        allow_none=True,
        validate=validate.Length(max=36),
        metadata={"description": "CONTINUOUS only: seconds, or a five-field cron expression"},
    )
    auto_trigger = fields.Boolean(load_default=False)
    start_time = fields.DateTime(
        allow_none=True, metadata={"description": "API microversion 1.1 or later"}
    )
    end_time = fields.DateTime(
        allow_none=True, metadata={"description": "API microversion 1.1 or later"}
    )
    force = fields.Boolean(load_default=False)
    # Read-only: accepted by the schema only so the API can answer Watcher's message.
    state = fields.Raw(metadata={"readOnly": True})
    scope = fields.Raw(metadata={"readOnly": True})
    hostname = fields.Raw(metadata={"readOnly": True})


class AuditQuerySchema(PageQuerySchema):
    goal = fields.String()
    strategy = fields.String()


class AuditSchema(ResourceSchema):
    RESOURCE = "audits"
    LIST_FIELDS = (
        "uuid",
        "name",
        "audit_type",
        "state",
        "goal_uuid",
        "goal_name",
        "strategy_uuid",
        "strategy_name",
        "interval",
        "scope",
        "auto_trigger",
        "next_run_time",
        "links",
    )
    SINCE = {"start_time": 1, "end_time": 1, "force": 2, "status_message": 5}

    uuid = fields.String()
    name = fields.String()
    audit_type = fields.String()
    state = fields.String()
    goal_uuid = fields.String(attribute="goal.uuid")
    goal_name = fields.String(attribute="goal.name")
    strategy_uuid = optional_string(lambda a: a.strategy.uuid if a.strategy else None)
    strategy_name = optional_string(lambda a: a.strategy.name if a.strategy else None)
    interval = fields.String(allow_none=True)
    scope = AlwaysList(fields.Raw(), metadata={"items": {}})
    auto_trigger = fields.Boolean()
    next_run_time = fields.DateTime(allow_none=True)
    parameters = AlwaysDict()
    hostname = fields.String(allow_none=True)
    start_time = fields.DateTime(allow_none=True, metadata=since(1))
    end_time = fields.DateTime(allow_none=True, metadata=since(1))
    force = fields.Boolean(metadata=since(2))
    status_message = fields.String(allow_none=True, metadata=since(5))
