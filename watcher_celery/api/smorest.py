"""flask-smorest customised once: Watcher error bodies, documented errors, lookups, links.

Every view registered through :class:`Blueprint` gets the error responses it can answer
documented in OpenAPI (``{"error_message": ...}`` bodies): 400/401/404/406 everywhere, and
403/409 on writes, so the spec tells clients (and schemathesis) the truth without each view
repeating it.
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

import flask_smorest
from flask import has_request_context, request
from flask.views import MethodView
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import Session
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request

from watcher_celery.api import json_body
from watcher_celery.api.errors import handle_http_exception
from watcher_celery.api.openapi import VERSION_HEADER
from watcher_celery.errors import NotFound

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
SHOW_DELETED_HEADER = "X-Show-Deleted"


class WatcherErrorSchema(Schema):
    """Watcher's error body: a JSON string holding ``faultcode``, ``faultstring``, ``debuginfo``."""

    error_message = fields.String(required=True)


ERRORS_ANY = {
    400: "Bad request: malformed input, an unknown filter value or sort key.",
    401: "No valid X-Auth-Token (only when authentication is enabled).",
    404: "No such object.",
    406: "The requested API microversion is outside the supported range.",
}
ERRORS_WRITE = {
    403: "The token's role may only read.",
    409: "Conflicts with the current data (duplicate name, state of a related object).",
    413: "The request body is larger than WATCHER_API_MAX_BODY.",
}


class Api(flask_smorest.Api):
    """An Api whose HTTP errors carry Watcher's error body instead of flask-smorest's."""

    ERROR_SCHEMA = WatcherErrorSchema

    def handle_http_exception(self, error):  # noqa: D401 - flask-smorest hook
        return handle_http_exception(error)


class _Parser(FlaskParser):
    """Invalid query or body: Watcher answers 400, not webargs' 422; bodies are parsed by
    ``json_body.loads`` (deep nesting and giant integers are a 400, not a crash)."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return missing
        return json_body.loads(req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):
    """A Blueprint that documents the error responses of every MethodView it routes."""

    ARGUMENTS_PARSER = _Parser()

    def route(self, rule, *, parameters=None, tags=None, **options):
        parameters = [*(parameters or []), VERSION_HEADER]
        register = super().route(rule, parameters=parameters, tags=tags, **options)

        def decorator(view):
            if isinstance(view, type) and issubclass(view, MethodView):
                for method in view.methods or ():
                    name = method.lower()
                    setattr(view, name, self._with_errors(getattr(view, name), name))
            return register(view)

        return decorator

    def _with_errors(self, func, method: str):
        codes = dict(ERRORS_ANY)
        if method in WRITE_METHODS:
            codes.update(ERRORS_WRITE)
        documented = getattr(func, "_apidoc", {}).get("response", {}).get("responses", {})
        for status, description in sorted(codes.items()):
            if status not in documented:
                func = self.alt_response(
                    status, schema=WatcherErrorSchema, description=description
                )(func)
        return func

    def documents(self, status: int, schema, description: str | None = None):
        """Document the success body a view returns already serialised (per microversion)."""
        return self.alt_response(status, schema=schema, description=description, success=True)


def is_uuid(value: str) -> bool:
    try:
        uuidlib.UUID(str(value))
    except ValueError:
        return False
    return True


def show_deleted() -> bool:
    """Reads honour ``X-Show-Deleted: true``; writes never see soft-deleted rows."""
    if not has_request_context():
        return False
    raw = request.headers.get(SHOW_DELETED_HEADER, "")
    return request.method == "GET" and raw.strip().lower() in ("1", "true", "yes", "on")


def visible(model: type):
    """The ``WHERE`` clause hiding soft-deleted rows (unless the header asks for them)."""
    return model.deleted >= 0 if show_deleted() else model.deleted == 0


def get_or_404(
    session: Session, model: type, ident: str, resource: str, by_name: bool = True
) -> Any:
    """A row by UUID, or by name where the resource allows names (goals, audits, ...)."""
    query = select(model).where(visible(model))
    if is_uuid(ident):
        query = query.where(model.uuid == str(ident))
    elif by_name and hasattr(model, "name"):
        query = query.where(model.name == ident)
    else:
        raise NotFound(resource, ident)
    row = session.scalars(query.order_by(model.deleted).limit(1)).first()
    if row is None:
        raise NotFound(resource, ident)
    return row


def host_url() -> str:
    return request.host_url.rstrip("/")


def links(resource: str, ident: str) -> list[dict[str, str]]:
    base = host_url()
    return [
        {"rel": "self", "href": f"{base}/v1/{resource}/{ident}"},
        {"rel": "bookmark", "href": f"{base}/{resource}/{ident}"},
    ]


def created(body: dict[str, Any], resource: str, ident: str):
    """201 with the new object and its ``Location``."""
    return body, 201, {"Location": f"{host_url()}/v1/{resource}/{ident}"}


def register_collection(
    blp: Blueprint, query_schema: type, list_page, noun: str, collection_schema=None
) -> None:
    """Add ``GET ""`` (list) and ``GET /detail`` (list with every field) to ``blp``.

    ``list_page(args, detail)`` returns the collection body.
    """

    class Collection(MethodView):
        @blp.arguments(query_schema, location="query")
        @blp.documents(200, collection_schema)
        def get(self, args):
            return list_page(args, detail=False)

    class Detail(MethodView):
        @blp.arguments(query_schema, location="query")
        @blp.documents(200, collection_schema)
        def get(self, args):
            return list_page(args, detail=True)

    Collection.get.__doc__ = f"List {noun}."
    Detail.get.__doc__ = f"List {noun} with every field."
    blp.route("")(Collection)
    blp.route("/detail")(Detail)
