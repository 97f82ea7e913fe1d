"""GET /v1/strategies[?goal=], /detail, /{uuid|name}, /{uuid|name}/state."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy.orm import aliased, joinedload

from watcher_celery.api import listing
from watcher_celery.api.data_model.ask import ask
from watcher_celery.api.data_model.routes import UNAVAILABLE
from watcher_celery.api.pagination import (
    SortKey,
    columns,
)
from watcher_celery.api.smorest import Blueprint, WatcherErrorSchema, get_or_404
from watcher_celery.api.strategies.schemas import (
    StrategyQuerySchema,
    StrategySchema,
    StrategyStateSchema,
)
from watcher_celery.db import Goal, Strategy, session_scope
from watcher_celery.dispatch import STRATEGY_STATE

blp = Blueprint("strategies", __name__, url_prefix="/v1/strategies", description="Strategies")
_G = aliased(Goal)
SORTABLE = {
    **columns(Strategy, "id", "uuid", "name", "display_name", "created_at"),
    "goal_uuid": SortKey(_G.uuid, ((_G, _G.id == Strategy.goal_id),)),
    "goal_name": SortKey(_G.name, ((_G, _G.id == Strategy.goal_id),)),
}


_filters = listing.by_reference(Strategy, goal=("goal_id", Goal, "Goal"))


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


@blp.route("/<ident>/state")
class StrategyState(MethodView):
    @blp.documents(200, StrategyStateSchema(many=True))
    @blp.alt_response(503, schema=WatcherErrorSchema, description=UNAVAILABLE)
    def get(self, ident):
        """What the strategy needs (datasource, metrics, data models) and whether it is there."""
        with session_scope() as session:
            name = get_or_404(session, Strategy, ident, "Strategy").name
        return ask(STRATEGY_STATE, name, what=f"the state of strategy {name}")
