"""GET /v1/actions[?action_plan_uuid=|audit_uuid=], /detail, /{uuid}."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from watcher_celery.api.actions.schemas import ActionQuerySchema, ActionSchema
from watcher_celery.api.pagination import collection, paginate
from watcher_celery.api.smorest import Blueprint, get_or_404, register_collection
from watcher_celery.db import Action, ActionPlan, Audit, session_scope
from watcher_celery.errors import Invalid

blp = Blueprint("actions", __name__, url_prefix="/v1/actions", description="Actions")
SORTABLE = {
    k: getattr(Action, k)
    for k in ("id", "uuid", "state", "action_type", "created_at", "updated_at")
}


def _list(args: dict, detail: bool) -> dict:
    if args.get("action_plan_uuid") and args.get("audit_uuid"):
        raise Invalid("Filter by action_plan_uuid or audit_uuid, not both")
    with session_scope() as session:
        query = select(Action).where(Action.deleted == 0)
        if args.get("action_plan_uuid"):
            plan = get_or_404(
                session, ActionPlan, args["action_plan_uuid"], "ActionPlan", by_name=False
            )
            query = query.where(Action.action_plan_id == plan.id)
        if args.get("audit_uuid"):
            audit = get_or_404(session, Audit, args["audit_uuid"], "Audit")
            plan_ids = select(ActionPlan.id).where(ActionPlan.audit_id == audit.id)
            query = query.where(Action.action_plan_id.in_(plan_ids))
        rows, limit = paginate(session, query, Action, args, SORTABLE)
        items = ActionSchema.dump_many(rows, detail)
    return collection("actions", items, limit, args, "actions" + ("/detail" if detail else ""))


register_collection(
    blp, ActionQuerySchema, _list, "actions (filters: action_plan_uuid, audit_uuid)"
)


@blp.route("/<ident>")
class ActionItem(MethodView):
    def get(self, ident):
        """Show one action by UUID."""
        with session_scope() as session:
            return ActionSchema.dump_one(
                get_or_404(session, Action, ident, "Action", by_name=False)
            )
