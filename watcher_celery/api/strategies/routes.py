"""GET /v1/strategies[?goal=], /detail, /{uuid|name}."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from watcher_celery.api.pagination import collection, paginate
from watcher_celery.api.smorest import Blueprint, get_or_404, register_collection
from watcher_celery.api.strategies.schemas import StrategyQuerySchema, StrategySchema
from watcher_celery.db import Goal, Strategy, session_scope

blp = Blueprint("strategies", __name__, url_prefix="/v1/strategies", description="Strategies")
SORTABLE = {k: getattr(Strategy, k) for k in ("id", "uuid", "name", "display_name", "created_at")}


def _list(args: dict, detail: bool) -> dict:
    with session_scope() as session:
        query = select(Strategy).where(Strategy.deleted == 0)
        if args.get("goal"):
            goal = get_or_404(session, Goal, args["goal"], "Goal")
            query = query.where(Strategy.goal_id == goal.id)
        rows, limit = paginate(session, query, Strategy, args, SORTABLE)
        items = StrategySchema.dump_many(rows, detail)
    return collection(
        "strategies", items, limit, args, "strategies" + ("/detail" if detail else "")
    )


register_collection(blp, StrategyQuerySchema, _list, "strategies, optionally of one goal")


@blp.route("/<ident>")
class StrategyItem(MethodView):
    def get(self, ident):
        """Show one strategy by UUID or name."""
        with session_scope() as session:
            return StrategySchema.dump_one(get_or_404(session, Strategy, ident, "Strategy"))
