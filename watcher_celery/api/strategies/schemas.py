"""Strategy schemas: the response and the list filter."""

from marshmallow import Schema, fields, validate

from watcher_celery.api.pagination import PageQuerySchema
from watcher_celery.api.views import AlwaysDict, ResourceSchema


class StrategySchema(ResourceSchema):
    RESOURCE = "strategies"
    LIST_FIELDS = ("uuid", "name", "display_name", "goal_uuid", "goal_name", "links")

    uuid = fields.String()
    name = fields.String()
    display_name = fields.String()
    goal_uuid = fields.String(attribute="goal.uuid")
    goal_name = fields.String(attribute="goal.name")
    parameters_spec = AlwaysDict()


class StrategyQuerySchema(PageQuerySchema):
    goal = fields.String()


class StrategyStateSchema(Schema):
    """One entry of ``/state``: Datasource, Metrics, CDM or Name (reference §1.3)."""

    type = fields.String(
        required=True, validate=validate.OneOf(("Datasource", "Metrics", "CDM", "Name"))
    )
    state = fields.Raw(
        required=True,
        metadata={"description": "A string (Datasource, Name) or a list of {name: availability}"},
    )
    mandatory = fields.Raw(required=True, metadata={"description": 'true, false or "" (Name)'})
    comment = fields.String(required=True)
