"""GET /v1/data_model (microversion 1.3+): the decision engine's view of the compute cluster."""

from __future__ import annotations

from flask.views import MethodView

from watcher_celery.api import microversion
from watcher_celery.api.data_model.ask import ask
from watcher_celery.api.data_model.schemas import TYPES, DataModelQuerySchema, DataModelSchema
from watcher_celery.api.smorest import Blueprint, WatcherErrorSchema, get_or_404
from watcher_celery.db import Audit, session_scope
from watcher_celery.decision_engine.data_model import FROZEN_FIELDS, SINCE_1_6
from watcher_celery.dispatch import BUILD_DATA_MODEL
from watcher_celery.errors import NotFound

blp = Blueprint("data_model", __name__, url_prefix="/v1/data_model", description="Data model")
UNAVAILABLE = "No decision engine answered in time, or it could not collect the cluster data."


def visible_rows(rows: list[dict]) -> list[dict]:
    """Keep the frozen fields, minus those newer than the negotiated microversion."""
    keep = FROZEN_FIELDS if microversion.at_least(6) else FROZEN_FIELDS - set(SINCE_1_6)
    return [{k: v for k, v in row.items() if k in keep} for row in rows]


@blp.route("")
class DataModel(MethodView):
    @blp.arguments(DataModelQuerySchema, location="query")
    @blp.documents(200, DataModelSchema)
    @blp.alt_response(503, schema=WatcherErrorSchema, description=UNAVAILABLE)
    def get(self, args):
        """The compute data model as rows, scoped by an audit if one is given (1.3+)."""
        if not microversion.at_least(3):
            raise microversion.too_old("GET /v1/data_model", 3)
        kind = args["data_model_type"]
        if kind not in TYPES:
            raise NotFound("Data model type", kind)
        audit_uuid = None
        if args.get("audit_uuid") is not None:
            with session_scope() as session:
                audit = get_or_404(session, Audit, str(args["audit_uuid"]), "Audit")
                audit_uuid = audit.uuid
        rows = ask(BUILD_DATA_MODEL, audit_uuid, what="the compute data model")
        return {"context": visible_rows(rows)}
