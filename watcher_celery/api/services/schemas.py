"""Service response schema; ``status`` is computed from the last heartbeat when read."""

from datetime import UTC, datetime

from marshmallow import fields

from watcher_celery.api.smorest import links
from watcher_celery.api.views import LINK, ResourceSchema
from watcher_celery.config import get_settings


def status(service) -> str:
    """ACTIVE if the last sign of life is within ``WATCHER_SERVICE_DOWN_TIME`` seconds."""
    seen = service.last_seen_up or service.updated_at or service.created_at
    age = abs((datetime.now(UTC) - seen).total_seconds())
    return "ACTIVE" if age <= get_settings().service_down_time else "FAILED"


class ServiceSchema(ResourceSchema):
    RESOURCE = "services"
    LIST_FIELDS = ("id", "name", "host", "status", "links")

    id = fields.Integer()
    name = fields.String()
    host = fields.String()
    status = fields.Function(status, metadata={"type": "string", "enum": ["ACTIVE", "FAILED"]})
    last_seen_up = fields.DateTime(allow_none=True)
    links = fields.Method("_links", metadata={"type": "array", "items": LINK})

    def _links(self, obj) -> list[dict[str, str]]:
        return links(self.RESOURCE, str(obj.id))
