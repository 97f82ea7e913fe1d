"""GET /v1/strategies[?goal=], /detail, /{uuid|name}."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy.orm import aliased, joinedload

from watcher_celery.api import listing
from watcher_celery.api.pagination import (
    SortKey,
    columns,
)
from watcher_celery.api.smorest import Blueprint, get_or_404
from watcher_celery.api.strategies.schemas import StrategyQuerySchema, StrategySchema
from watcher_celery.db import Goal, Strategy, session_scope

blp = Blueprint("strategies", __name__, url_prefix="/v1/strategies", description="Strategies")
_G = aliased(Goal)
SORTABLE = {
    **columns(Strategy, "id", "uuid", "name", "display_name", "created_at"),
    "goal_uuid": SortKey(_G.uuid, ((_G, _G.id == Strategy.goal_id),)),
    "goal_name": SortKey(_G.name, ((_G, _G.id == Strategy.goal_id),)),
}


def _filters(session, args: dict) -> list:
    if not args.get("goal"):
        return []
    return [Strategy.goal_id == get_or_404(session, Goal, args["goal"], "Goal").id]


listing.register(
    blp,
    "strategies",
    Strategy,
    StrategySchema,
    SORTABLE,
    noun="strategies, optionally of one goal",
    query_schema=StrategyQuerySchema,
    filters=_filters,
    load=(joinedload(Strategy.goal),),
)


@blp.route("/<ident>")
class StrategyItem(MethodView):
    @blp.documents(200, StrategySchema)
    def get(self, ident):
        """Show one strategy by UUID or name."""
        with session_scope() as session:
            return StrategySchema.dump_one(get_or_404(session, Strategy, ident, "Strategy"))
