"""/v1/audits: list, /detail, show, create, PATCH (JSON-patch) and DELETE."""

from __future__ import annotations

import logging

from flask.views import MethodView
from sqlalchemy.orm import aliased, joinedload

from watcher_celery import dispatch
from watcher_celery.api import listing
from watcher_celery.api.audits import update
from watcher_celery.api.audits.create import build_audit
from watcher_celery.api.audits.schemas import AuditCreateSchema, AuditQuerySchema, AuditSchema
from watcher_celery.api.pagination import (
    SortKey,
    columns,
)
from watcher_celery.api.patch import PatchOperationSchema
from watcher_celery.api.smorest import (
    Blueprint,
    created,
    get_or_404,
)
from watcher_celery.api.unique import unique_name
from watcher_celery.db import Audit, Goal, Strategy, session_scope
from watcher_celery.states import AuditType

LOG = logging.getLogger(__name__)
blp = Blueprint("audits", __name__, url_prefix="/v1/audits", description="Audits")
_G, _S = aliased(Goal), aliased(Strategy)
SORTABLE = {
    **columns(Audit, "id", "uuid", "name", "audit_type", "state", "created_at"),
    **columns(Audit, "updated_at", "interval", nullable={"updated_at": Audit.created_at}),
    "goal_uuid": SortKey(_G.uuid, ((_G, _G.id == Audit.goal_id),)),
    "goal_name": SortKey(_G.name, ((_G, _G.id == Audit.goal_id),)),
    "strategy_uuid": SortKey(_S.uuid, ((_S, _S.id == Audit.strategy_id),), ""),
    "strategy_name": SortKey(_S.name, ((_S, _S.id == Audit.strategy_id),), ""),
}


listing.register(
    blp,
    "audits",
    Audit,
    AuditSchema,
    SORTABLE,
    noun="audits, optionally of one goal or strategy",
    query_schema=AuditQuerySchema,
    filters=listing.by_reference(
        Audit, goal=("goal_id", Goal, "Goal"), strategy=("strategy_id", Strategy, "Strategy")
    ),
    load=(joinedload(Audit.goal).lazyload("*"), joinedload(Audit.strategy).lazyload("*")),
)


@blp.route("")
class AuditCreate(MethodView):
    @blp.arguments(AuditCreateSchema)
    @blp.documents(201, AuditSchema)
    def post(self, data):
        """Create an audit; a ONESHOT audit starts at once (its run is queued with it)."""
        with session_scope() as session:
            audit = build_audit(session, data)
            with unique_name("audit", audit.name):
                session.add(audit)
                session.flush()
            if audit.audit_type == AuditType.ONESHOT:
                dispatch.run_audit(session, audit.uuid)
            body = AuditSchema.dump_one(audit)
        return created(body, "audits", audit.uuid)


@blp.route("/<ident>")
class AuditItem(MethodView):
    @blp.documents(200, AuditSchema)
    def get(self, ident):
        """Show one audit by UUID or name."""
        with session_scope() as session:
            return AuditSchema.dump_one(get_or_404(session, Audit, ident, "Audit"))

    @blp.arguments(PatchOperationSchema(many=True))
    @blp.documents(200, AuditSchema)
    def patch(self, operations, ident):
        """Update an audit with a JSON-patch (state, interval, parameters, times, name)."""
        with session_scope() as session:
            audit = get_or_404(session, Audit, ident, "Audit")
            with unique_name("audit", audit.name):
                update.patch(session, audit, operations)
        with session_scope() as session:
            return AuditSchema.dump_one(get_or_404(session, Audit, audit.uuid, "Audit"))

    @blp.response(204)
    def delete(self, ident):
        """Delete a FAILED, SUCCEEDED, CANCELLED or SUSPENDED audit (soft; plans are kept)."""
        with session_scope() as session:
            update.delete(session, get_or_404(session, Audit, ident, "Audit"))
