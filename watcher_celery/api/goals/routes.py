"""GET /v1/goals, /v1/goals/detail, /v1/goals/{uuid|name}."""

from __future__ import annotations

from flask.views import MethodView

from watcher_celery.api import listing
from watcher_celery.api.goals.schemas import GoalSchema
from watcher_celery.api.pagination import (
    columns,
)
from watcher_celery.api.smorest import Blueprint, get_or_404
from watcher_celery.db import Goal, session_scope

blp = Blueprint("goals", __name__, url_prefix="/v1/goals", description="Optimization goals")
SORTABLE = columns(Goal, "id", "uuid", "name", "display_name", "created_at")


listing.register(blp, "goals", Goal, GoalSchema, SORTABLE, noun="goals")


@blp.route("/<ident>")
class GoalItem(MethodView):
    @blp.documents(200, GoalSchema)
    def get(self, ident):
        """Show one goal by UUID or name."""
        with session_scope() as session:
            return GoalSchema.dump_one(get_or_404(session, Goal, ident, "Goal"))
