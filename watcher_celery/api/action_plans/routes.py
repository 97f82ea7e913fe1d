"""GET /v1/action_plans[?audit_uuid=&strategy=], /detail, /{uuid}; POST /{uuid}/start."""

from __future__ import annotations

import logging

from flask.views import MethodView
from sqlalchemy import select

from watcher_celery import dispatch
from watcher_celery.api.action_plans.schemas import ActionPlanQuerySchema, ActionPlanSchema
from watcher_celery.api.pagination import collection, paginate
from watcher_celery.api.smorest import Blueprint, get_or_404, register_collection
from watcher_celery.db import ActionPlan, Audit, Strategy, session_scope
from watcher_celery.errors import IllegalTransition, Invalid, ServiceUnavailable
from watcher_celery.states import ActionPlanState, Actor, transition

LOG = logging.getLogger(__name__)
blp = Blueprint("action_plans", __name__, url_prefix="/v1/action_plans", description="Action plans")
SORTABLE = {k: getattr(ActionPlan, k) for k in ("id", "uuid", "state", "created_at", "updated_at")}


def _list(args: dict, detail: bool) -> dict:
    with session_scope() as session:
        query = select(ActionPlan).where(ActionPlan.deleted == 0)
        if args.get("audit_uuid"):
            audit = get_or_404(session, Audit, args["audit_uuid"], "Audit")
            query = query.where(ActionPlan.audit_id == audit.id)
        if args.get("strategy"):
            strategy = get_or_404(session, Strategy, args["strategy"], "Strategy")
            query = query.where(ActionPlan.strategy_id == strategy.id)
        rows, limit = paginate(session, query, ActionPlan, args, SORTABLE)
        items = ActionPlanSchema.dump_many(rows, detail)
    path = "action_plans" + ("/detail" if detail else "")
    return collection("action_plans", items, limit, args, path)


register_collection(
    blp, ActionPlanQuerySchema, _list, "action plans (filters: audit_uuid, strategy)"
)


@blp.route("/<ident>")
class ActionPlanItem(MethodView):
    def get(self, ident):
        """Show one action plan by UUID."""
        with session_scope() as session:
            plan = get_or_404(session, ActionPlan, ident, "ActionPlan", by_name=False)
            return ActionPlanSchema.dump_one(plan)


@blp.route("/<ident>/start")
class ActionPlanStart(MethodView):
    def post(self, ident):
        """Start a RECOMMENDED plan: it becomes PENDING and the applier launches it."""
        with session_scope() as session:
            plan = get_or_404(session, ActionPlan, ident, "ActionPlan", by_name=False)
            try:
                transition(
                    session,
                    ActionPlan,
                    plan.uuid,
                    ActionPlanState.PENDING,
                    Actor.OPERATOR,
                    expected=ActionPlanState.RECOMMENDED,
                )
            except IllegalTransition:
                raise Invalid(f"Couldn't start when state is '{plan.state}'") from None
        try:
            dispatch.launch_action_plan(plan.uuid)
        except Exception as exc:
            LOG.exception("could not dispatch action plan %s", plan.uuid)
            with session_scope() as session:
                transition(
                    session,
                    ActionPlan,
                    plan.uuid,
                    ActionPlanState.CANCELLED,
                    Actor.SERVICE,
                    expected=ActionPlanState.PENDING,
                    status_message=f"The applier could not be reached: {exc}",
                )
            raise ServiceUnavailable(f"The applier could not be reached: {exc}") from exc
        with session_scope() as session:
            return ActionPlanSchema.dump_one(
                get_or_404(session, ActionPlan, plan.uuid, "ActionPlan", by_name=False)
            )
