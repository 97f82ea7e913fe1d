"""GET /v1/scoring_engines, /detail, /{uuid|name}."""

from __future__ import annotations

from flask.views import MethodView

from watcher_celery.api import listing
from watcher_celery.api.pagination import (
    columns,
)
from watcher_celery.api.scoring_engines.schemas import ScoringEngineSchema
from watcher_celery.api.smorest import Blueprint, get_or_404
from watcher_celery.db import ScoringEngine, session_scope

blp = Blueprint(
    "scoring_engines", __name__, url_prefix="/v1/scoring_engines", description="Scoring engines"
)
SORTABLE = columns(ScoringEngine, "id", "uuid", "name", "created_at")


listing.register(
    blp, "scoring_engines", ScoringEngine, ScoringEngineSchema, SORTABLE, noun="scoring engines"
)


@blp.route("/<ident>")
class ScoringEngineItem(MethodView):
    @blp.documents(200, ScoringEngineSchema)
    def get(self, ident):
        """Show one scoring engine by UUID or name."""
        with session_scope() as session:
            row = get_or_404(session, ScoringEngine, ident, "ScoringEngine")
            return ScoringEngineSchema.dump_one(row)
