"""GET /v1/services, /detail, /{id|name}; the marker is the integer id."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from watcher_celery.api import listing
from watcher_celery.api.pagination import (
    columns,
)
from watcher_celery.api.services.schemas import ServiceSchema
from watcher_celery.api.smorest import Blueprint, visible
from watcher_celery.db import Service, session_scope
from watcher_celery.errors import NotFound

blp = Blueprint("services", __name__, url_prefix="/v1/services", description="Services")
MAX_ID = 2**31 - 1  # the largest id the column holds; larger numbers name no service
SORTABLE = columns(Service, "id", "name", "host", "created_at")


listing.register(blp, "services", Service, ServiceSchema, SORTABLE, noun="services", marker="id")


@blp.route("/<ident>")
class ServiceItem(MethodView):
    @blp.documents(200, ServiceSchema)
    def get(self, ident):
        """Show one service by integer id or name."""
        with session_scope() as session:
            query = select(Service).where(visible(Service))
            if ident.isdigit() and int(ident) <= MAX_ID:
                query = query.where(Service.id == int(ident))
            else:
                query = query.where(Service.name == ident)
            row = session.scalars(query.order_by(Service.deleted, Service.id).limit(1)).first()
            if row is None:
                raise NotFound("Service", ident, f"The service {ident} cannot be found.")
            return ServiceSchema.dump_one(row)
