"""Goal response schema."""

from marshmallow import fields

from watcher_celery.api.views import AlwaysList, ResourceSchema


class GoalSchema(ResourceSchema):
    RESOURCE = "goals"
    LIST_FIELDS = ("uuid", "name", "display_name", "efficacy_specification", "links")

    uuid = fields.String()
    name = fields.String()
    display_name = fields.String()
    efficacy_specification = AlwaysList(fields.Dict())
