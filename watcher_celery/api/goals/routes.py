"""GET /v1/goals, /v1/goals/detail, /v1/goals/{uuid|name}."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from watcher_celery.api.goals.schemas import GoalSchema
from watcher_celery.api.pagination import PageQuerySchema, collection, paginate
from watcher_celery.api.smorest import Blueprint, get_or_404, register_collection
from watcher_celery.db import Goal, session_scope

blp = Blueprint("goals", __name__, url_prefix="/v1/goals", description="Optimization goals")
SORTABLE = {k: getattr(Goal, k) for k in ("id", "uuid", "name", "display_name", "created_at")}


def _list(args: dict, detail: bool) -> dict:
    with session_scope() as session:
        rows, limit = paginate(session, select(Goal).where(Goal.deleted == 0), Goal, args, SORTABLE)
        items = GoalSchema.dump_many(rows, detail)
    return collection("goals", items, limit, args, "goals" + ("/detail" if detail else ""))


register_collection(blp, PageQuerySchema, _list, "goals")


@blp.route("/<ident>")
class GoalItem(MethodView):
    def get(self, ident):
        """Show one goal by UUID or name."""
        with session_scope() as session:
            return GoalSchema.dump_one(get_or_404(session, Goal, ident, "Goal"))
