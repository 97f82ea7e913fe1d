"""Action schemas: the list filter and the response."""

from marshmallow import fields

from watcher_celery.api.pagination import PageQuerySchema
from watcher_celery.api.views import AlwaysDict, AlwaysList, ResourceSchema, since


class ActionQuerySchema(PageQuerySchema):
    action_plan_uuid = fields.String()
    audit_uuid = fields.String()


class ActionSchema(ResourceSchema):
    RESOURCE = "actions"
    LIST_FIELDS = ("uuid", "state", "action_plan_uuid", "action_type", "parents", "links")
    SINCE = {"status_message": 5}

    uuid = fields.String()
    state = fields.String()
    action_plan_uuid = fields.String(attribute="action_plan.uuid")
    action_type = fields.String()
    parents = AlwaysList(fields.String())
    input_parameters = AlwaysDict()
    description = fields.Function(
        lambda a: a.description_row.description if a.description_row else "",
        metadata={"type": "string"},
    )
    status_message = fields.String(allow_none=True, metadata=since(5))
