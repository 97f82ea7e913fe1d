"""POST /v1/webhooks/{audit uuid|name}: run an EVENT audit now (202, no body)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from watcher_celery import dispatch
from watcher_celery.api.smorest import Blueprint, get_or_404
from watcher_celery.db import Audit, session_scope
from watcher_celery.errors import Invalid
from watcher_celery.states import TRIGGERABLE_AUDIT_STATES, AuditType

blp = Blueprint("webhooks", __name__, url_prefix="/v1/webhooks", description="Webhooks")


@blp.route("/<ident>")
class Webhook(MethodView):
    @blp.documents(202, None, "Accepted: the audit is queued to run.")
    def post(self, ident):
        """Trigger an EVENT audit in PENDING or SUCCEEDED; any request body is ignored."""
        with session_scope() as session:
            audit = get_or_404(session, Audit, ident, "Audit")
            if audit.audit_type != AuditType.EVENT:
                raise Invalid(f"Audit type {audit.audit_type} is disallowed.")
            if audit.state not in TRIGGERABLE_AUDIT_STATES:
                raise Invalid(f"Audit state {audit.state} is disallowed.")
            dispatch.run_audit(session, audit.uuid)
        return Response(status=202)
