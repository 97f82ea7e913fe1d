"""Strategy schemas: the response and the list filter."""

from marshmallow import fields

from watcher_celery.api.pagination import PageQuerySchema
from watcher_celery.api.views import ResourceSchema


class StrategySchema(ResourceSchema):
    RESOURCE = "strategies"
    LIST_FIELDS = ("uuid", "name", "display_name", "goal_uuid", "goal_name", "links")

    uuid = fields.String()
    name = fields.String()
    display_name = fields.String()
    goal_uuid = fields.String(attribute="goal.uuid")
    goal_name = fields.String(attribute="goal.name")
    parameters_spec = fields.Dict()


class StrategyQuerySchema(PageQuerySchema):
    goal = fields.String()
