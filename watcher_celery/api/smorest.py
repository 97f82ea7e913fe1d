"""flask-smorest customised once: Watcher error bodies, lookups by UUID or name, links."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

import flask_smorest
from flask import request
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher_celery.api.errors import error_response, handle_http_exception
from watcher_celery.errors import NotFound


class Api(flask_smorest.Api):
    """An Api whose HTTP errors carry Watcher's error body instead of flask-smorest's."""

    def handle_http_exception(self, error):  # noqa: D401 - flask-smorest hook
        return handle_http_exception(error)


class Blueprint(flask_smorest.Blueprint):
    pass


def is_uuid(value: str) -> bool:
    try:
        uuidlib.UUID(str(value))
    except ValueError:
        return False
    return True


def get_or_404(
    session: Session, model: type, ident: str, resource: str, by_name: bool = True
) -> Any:
    """A live row by UUID, or by name where the resource allows names (goals, audits, ...)."""
    query = select(model).where(model.deleted == 0)
    if is_uuid(ident):
        query = query.where(model.uuid == str(ident))
    elif by_name and hasattr(model, "name"):
        query = query.where(model.name == ident)
    else:
        raise NotFound(resource, ident)
    row = session.scalars(query).one_or_none()
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


def not_found_response(message: str):
    return error_response(404, message)


def register_collection(blp: Blueprint, query_schema: type, list_page, noun: str) -> None:
    """Add ``GET ""`` (list) and ``GET /detail`` (list with every field) to ``blp``.

    ``list_page(args, detail)`` returns the collection body.
    """

    class Collection(MethodView):
        @blp.arguments(query_schema, location="query")
        def get(self, args):
            return list_page(args, detail=False)

    class Detail(MethodView):
        @blp.arguments(query_schema, location="query")
        def get(self, args):
            return list_page(args, detail=True)

    Collection.get.__doc__ = f"List {noun}."
    Detail.get.__doc__ = f"List {noun} with every field."
    blp.route("")(Collection)
    blp.route("/detail")(Detail)
