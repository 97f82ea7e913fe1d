"""Scoring engine response schema."""

from marshmallow import fields

from watcher_celery.api.views import ResourceSchema


class ScoringEngineSchema(ResourceSchema):
    RESOURCE = "scoring_engines"
    LIST_FIELDS = ("uuid", "name", "description", "links")

    uuid = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    metainfo = fields.String(allow_none=True)
