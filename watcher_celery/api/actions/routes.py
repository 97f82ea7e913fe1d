"""/v1/actions: list (filters action_plan_uuid | audit_uuid), /detail, show and PATCH."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload, selectinload

from watcher_celery.api import listing
from watcher_celery.api.actions import update
from watcher_celery.api.actions.schemas import ActionQuerySchema, ActionSchema
from watcher_celery.api.pagination import (
    SortKey,
    columns,
)
from watcher_celery.api.patch import PatchOperationSchema
from watcher_celery.api.smorest import Blueprint, get_or_404
from watcher_celery.db import Action, ActionPlan, Audit, session_scope
from watcher_celery.errors import Invalid

blp = Blueprint("actions", __name__, url_prefix="/v1/actions", description="Actions")
_P, _A = aliased(ActionPlan), aliased(Audit)
_PLAN = (_P, _P.id == Action.action_plan_id)
LOAD = (
    joinedload(Action.action_plan).lazyload("*"),
    selectinload(Action.description_row),
)
SORTABLE = {
    **columns(Action, "id", "uuid", "state", "action_type", "created_at"),
    **columns(Action, "updated_at", nullable={"updated_at": Action.created_at}),
    "action_plan_uuid": SortKey(_P.uuid, (_PLAN,)),
    "audit_uuid": SortKey(_A.uuid, (_PLAN, (_A, _A.id == _P.audit_id))),
}


def _get(session, ident: str) -> Action:
    return get_or_404(session, Action, ident, "Action", by_name=False)


def _filters(_session, args: dict) -> list:
    if args.get("action_plan_uuid") and args.get("audit_uuid"):
        raise Invalid("Filtering actions on both audit and action-plan is prohibited")
    clauses = []
    if args.get("action_plan_uuid"):
        plans = listing.referenced_ids(ActionPlan, "action_plan_uuid", args["action_plan_uuid"])
        clauses.append(Action.action_plan_id.in_(plans))
    if args.get("audit_uuid"):
        audits = listing.referenced_ids(Audit, "audit_uuid", args["audit_uuid"])
        plan_ids = select(ActionPlan.id).where(ActionPlan.audit_id.in_(audits))
        clauses.append(Action.action_plan_id.in_(plan_ids))
    return clauses


listing.register(
    blp,
    "actions",
    Action,
    ActionSchema,
    SORTABLE,
    noun="actions (filters: action_plan_uuid, audit_uuid)",
    query_schema=ActionQuerySchema,
    filters=_filters,
    load=LOAD,
)


@blp.route("/<ident>")
class ActionItem(MethodView):
    @blp.documents(200, ActionSchema)
    def get(self, ident):
        """Show one action by UUID."""
        with session_scope() as session:
            return ActionSchema.dump_one(_get(session, ident))

    @blp.arguments(PatchOperationSchema(many=True))
    @blp.documents(200, ActionSchema)
    def patch(self, operations, ident):
        """Skip a PENDING action of a plan not yet running (microversion 1.5 or later)."""
        with session_scope() as session:
            update.patch(session, _get(session, ident), operations)
        with session_scope() as session:
            return ActionSchema.dump_one(_get(session, ident))
