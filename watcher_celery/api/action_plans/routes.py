"""/v1/action_plans: list, /detail, show, PATCH of the state, DELETE and ``/start``."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy.orm import aliased, joinedload, selectinload

from watcher_celery.api import listing
from watcher_celery.api.action_plans import update
from watcher_celery.api.action_plans.schemas import ActionPlanQuerySchema, ActionPlanSchema
from watcher_celery.api.pagination import (
    SortKey,
    columns,
)
from watcher_celery.api.patch import PatchOperationSchema
from watcher_celery.api.smorest import (
    Blueprint,
    get_or_404,
)
from watcher_celery.db import ActionPlan, Audit, Strategy, session_scope

blp = Blueprint("action_plans", __name__, url_prefix="/v1/action_plans", description="Action plans")
_A, _S = aliased(Audit), aliased(Strategy)
SORTABLE = {
    **columns(ActionPlan, "id", "uuid", "state", "created_at"),
    **columns(ActionPlan, "updated_at", nullable={"updated_at": ActionPlan.created_at}),
    "audit_uuid": SortKey(_A.uuid, ((_A, _A.id == ActionPlan.audit_id),)),
    "strategy_uuid": SortKey(_S.uuid, ((_S, _S.id == ActionPlan.strategy_id),)),
    "strategy_name": SortKey(_S.name, ((_S, _S.id == ActionPlan.strategy_id),)),
}


def _get(session, ident: str) -> ActionPlan:
    return get_or_404(session, ActionPlan, ident, "ActionPlan", by_name=False)


def _show(ident: str) -> dict:
    with session_scope() as session:
        return ActionPlanSchema.dump_one(_get(session, ident))


listing.register(
    blp,
    "action_plans",
    ActionPlan,
    ActionPlanSchema,
    SORTABLE,
    noun="action plans (filters: audit_uuid, strategy)",
    query_schema=ActionPlanQuerySchema,
    filters=listing.by_reference(
        ActionPlan,
        audit_uuid=("audit_id", Audit, "Audit"),
        strategy=("strategy_id", Strategy, "Strategy"),
    ),
    load=(
        joinedload(ActionPlan.audit).lazyload("*"),
        joinedload(ActionPlan.strategy).lazyload("*"),
        selectinload(ActionPlan.efficacy_indicators),
    ),
)


@blp.route("/<ident>")
class ActionPlanItem(MethodView):
    @blp.documents(200, ActionPlanSchema)
    def get(self, ident):
        """Show one action plan by UUID."""
        return _show(ident)

    @blp.arguments(PatchOperationSchema(many=True))
    @blp.documents(200, ActionPlanSchema)
    def patch(self, operations, ident):
        """Change the state: PENDING (launch), CANCELLED (not started) or CANCELLING (running)."""
        with session_scope() as session:
            plan = _get(session, ident)
            update.patch(session, plan, operations)
        return _show(plan.uuid)

    @blp.response(204)
    def delete(self, ident):
        """Delete a finished or never started plan with its actions and efficacy indicators."""
        with session_scope() as session:
            update.delete(session, _get(session, ident))


@blp.route("/<ident>/start")
class ActionPlanStart(MethodView):
    @blp.documents(200, ActionPlanSchema)
    def post(self, ident):
        """Start a RECOMMENDED plan: it becomes PENDING and the applier launches it."""
        with session_scope() as session:
            plan = _get(session, ident)
            update.start(session, plan)
        return _show(plan.uuid)
