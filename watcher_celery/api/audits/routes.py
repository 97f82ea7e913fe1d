"""POST/GET /v1/audits, /detail, /{uuid|name}."""

from __future__ import annotations

import logging

from flask import url_for
from flask.views import MethodView
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from watcher_celery import dispatch
from watcher_celery.api.audits.create import build_audit
from watcher_celery.api.audits.schemas import AuditCreateSchema, AuditQuerySchema, AuditSchema
from watcher_celery.api.pagination import collection, paginate
from watcher_celery.api.smorest import Blueprint, get_or_404, register_collection
from watcher_celery.db import Audit, Goal, Strategy, session_scope
from watcher_celery.errors import Conflict, ServiceUnavailable
from watcher_celery.states import AuditType

LOG = logging.getLogger(__name__)
blp = Blueprint("audits", __name__, url_prefix="/v1/audits", description="Audits")
SORTABLE = {
    k: getattr(Audit, k)
    for k in ("id", "uuid", "name", "audit_type", "state", "created_at", "updated_at")
}


def _list(args: dict, detail: bool) -> dict:
    with session_scope() as session:
        query = select(Audit).where(Audit.deleted == 0)
        if args.get("goal"):
            query = query.where(Audit.goal_id == get_or_404(session, Goal, args["goal"], "Goal").id)
        if args.get("strategy"):
            strategy = get_or_404(session, Strategy, args["strategy"], "Strategy")
            query = query.where(Audit.strategy_id == strategy.id)
        rows, limit = paginate(session, query, Audit, args, SORTABLE)
        items = AuditSchema.dump_many(rows, detail)
    return collection("audits", items, limit, args, "audits" + ("/detail" if detail else ""))


def _start(audit: Audit) -> None:
    """Hand a ONESHOT audit to the decision engine; undo the audit if that is impossible."""
    try:
        dispatch.run_audit(audit.uuid)
    except Exception as exc:
        LOG.exception("could not dispatch audit %s", audit.uuid)
        with session_scope() as session:
            session.execute(delete(Audit).where(Audit.id == audit.id))
        raise ServiceUnavailable(f"The decision engine could not be reached: {exc}") from exc


register_collection(blp, AuditQuerySchema, _list, "audits, optionally of one goal or strategy")


@blp.route("")
class AuditCreate(MethodView):
    @blp.arguments(AuditCreateSchema)
    @blp.response(201)
    def post(self, data):
        """Create an audit; a ONESHOT audit starts at once."""
        try:
            with session_scope() as session:
                audit = build_audit(session, data)
                session.add(audit)
                session.flush()
                body = AuditSchema.dump_one(audit)
        except IntegrityError:
            raise Conflict(f"An audit named {data.get('name')} already exists") from None
        if audit.audit_type == AuditType.ONESHOT:
            _start(audit)
        location = url_for("audits.AuditItem", ident=audit.uuid, _external=True)
        return body, 201, {"Location": location}


@blp.route("/<ident>")
class AuditItem(MethodView):
    def get(self, ident):
        """Show one audit by UUID or name."""
        with session_scope() as session:
            return AuditSchema.dump_one(get_or_404(session, Audit, ident, "Audit"))
