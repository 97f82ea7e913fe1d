"""Audit template schemas: the create body, the list filter and the response."""

from marshmallow import Schema, fields, validate

from watcher_celery.api.pagination import PageQuerySchema
from watcher_celery.api.views import AlwaysList, ResourceSchema, optional_string, since


class AuditTemplateCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=63))
    description = fields.String(allow_none=True, validate=validate.Length(max=255))
    goal = fields.String(required=True, metadata={"description": "goal UUID or name"})
    strategy = fields.String(allow_none=True, metadata={"description": "strategy UUID or name"})
    scope = fields.List(fields.Raw(), load_default=list, metadata={"items": {}})
    default_parameters = fields.Dict(
        allow_none=True, metadata={"description": "API microversion 1.7 or later"}
    )


class AuditTemplateQuerySchema(PageQuerySchema):
    goal = fields.String(metadata={"description": "goal UUID or name"})
    strategy = fields.String(metadata={"description": "strategy UUID or name"})


class AuditTemplateSchema(ResourceSchema):
    RESOURCE = "audit_templates"
    LIST_FIELDS = (
        "uuid",
        "name",
        "goal_uuid",
        "goal_name",
        "strategy_uuid",
        "strategy_name",
        "scope",
        "links",
    )
    SINCE = {"default_parameters": 7}

    uuid = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    goal_uuid = fields.String(attribute="goal.uuid")
    goal_name = fields.String(attribute="goal.name")
    strategy_uuid = optional_string(lambda t: t.strategy.uuid if t.strategy else None)
    strategy_name = optional_string(lambda t: t.strategy.name if t.strategy else None)
    scope = AlwaysList(fields.Raw(), metadata={"items": {}})
    default_parameters = fields.Dict(allow_none=True, metadata=since(7))
