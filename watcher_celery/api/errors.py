"""Watcher's error body and the one table from exception type to HTTP status.

Every error answers ``{"error_message": "<JSON string of {faultcode, faultstring,
debuginfo}>"}``, the shape python-watcherclient parses.
"""

from __future__ import annotations

import json
import logging

from flask import Response
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, StatementError
from werkzeug.exceptions import HTTPException

from watcher_celery.errors import (
    Conflict,
    Forbidden,
    IllegalTransition,
    Invalid,
    NotAcceptable,
    NotAuthenticated,
    NotFound,
    PluginError,
    ServiceUnavailable,
    WatcherCeleryError,
)

LOG = logging.getLogger(__name__)

# Checked in order: the first matching class wins. An IllegalTransition asked for by an
# operator is a bad request (400) as upstream answers, not a 409.
STATUS_BY_TYPE: tuple[tuple[type[WatcherCeleryError], int], ...] = (
    (IllegalTransition, 400),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (NotAcceptable, 406),
    (Conflict, 409),
    (Invalid, 400),
    (PluginError, 400),
    (ServiceUnavailable, 503),
)


def status_for(exc: WatcherCeleryError) -> int:
    for cls, status in STATUS_BY_TYPE:
        if isinstance(exc, cls):
            return status
    return 500


def error_body(status: int, message: str) -> str:
    """The JSON text of Watcher's error body for ``status``."""
    fault = {
        "faultcode": "Client" if status < 500 else "Server",
        "faultstring": message,
        "debuginfo": None,
    }
    return json.dumps({"error_message": json.dumps(fault)})


def error_response(status: int, message: str) -> Response:
    return Response(error_body(status, message), status=status, mimetype="application/json")


def _validation_message(messages: object) -> str:
    """Flatten marshmallow's nested messages into one line a person can act on."""
    parts: list[str] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("json", "query", "headers", "form"):
                    walk(value, path)
                else:
                    walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            text = " ".join(str(m) for m in node if not isinstance(m, (dict, list)))
            parts.append(f"{path}: {text}" if path else text)
            for item in node:
                if isinstance(item, (dict, list)):
                    walk(item, path)
        else:
            parts.append(f"{path}: {node}" if path else str(node))

    walk(messages, "")
    return "Invalid input: " + "; ".join(parts)


def handle_http_exception(exc: HTTPException) -> Response:
    """flask-smorest and werkzeug errors: 422 (schema validation) is answered as 400; the
    exception's own headers (``Allow`` on a 405, ...) are kept."""
    messages = getattr(exc, "data", {}).get("messages") if hasattr(exc, "data") else None
    status = exc.code or 500
    if status == 422:
        return error_response(400, _validation_message(messages))
    message = exc.description or exc.name
    if messages:
        message = _validation_message(messages)
    response = error_response(status, message)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_watcher_error(exc: WatcherCeleryError) -> Response:
    status = status_for(exc)
    if status >= 500:
        LOG.exception("unexpected error")
    return error_response(status, str(exc))


def handle_database_input(exc: StatementError | UnicodeEncodeError) -> Response:
    """A value the database cannot store (NUL characters, unencodable text such as lone
    surrogates, numbers out of range, strings over a column's length) is the client's input
    error, not a crash."""
    if isinstance(exc, DataError | UnicodeEncodeError) or isinstance(
        getattr(exc, "orig", None), UnicodeError
    ):
        return error_response(400, "Invalid input: a value cannot be stored as given")
    if isinstance(exc, OperationalError | InterfaceError):
        # The connection was lost (database restarting, network cut): the client may retry.
        LOG.warning("database unreachable: %s", exc)
        return error_response(
            503, "The database could not be reached; the request may not have been saved."
        )
    return handle_unexpected(exc)


def handle_unexpected(exc: Exception) -> Response:
    LOG.exception("unexpected error")
    return error_response(500, "An unexpected error prevented the request from completing.")
