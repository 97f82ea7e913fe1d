"""Action plan schemas: the list filter and the response."""

from marshmallow import Schema, fields

from watcher_celery.api.pagination import PageQuerySchema
from watcher_celery.api.views import AlwaysList, ResourceSchema, since


class ActionPlanQuerySchema(PageQuerySchema):
    audit_uuid = fields.String()
    strategy = fields.String()


class IndicatorSchema(Schema):
    name = fields.String()
    description = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    value = fields.Float(allow_none=True)


class ActionPlanSchema(ResourceSchema):
    RESOURCE = "action_plans"
    LIST_FIELDS = (
        "uuid",
        "state",
        "audit_uuid",
        "strategy_uuid",
        "strategy_name",
        "efficacy_indicators",
        "global_efficacy",
        "updated_at",
        "links",
    )
    SINCE = {"status_message": 5}

    uuid = fields.String()
    state = fields.String()
    audit_uuid = fields.String(attribute="audit.uuid")
    strategy_uuid = fields.String(attribute="strategy.uuid")
    strategy_name = fields.String(attribute="strategy.name")
    efficacy_indicators = AlwaysList(fields.Nested(IndicatorSchema))
    global_efficacy = AlwaysList(fields.Dict())
    hostname = fields.String(allow_none=True)
    status_message = fields.String(allow_none=True, metadata=since(5))
