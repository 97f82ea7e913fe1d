"""``X-OpenStack-Request-Id`` on every request, as OpenStack services do.

A caller's valid ``req-<uuid>`` is kept (a proxy or another service may have started the trail),
anything else is replaced by a new one. It is bound to the log context for the request, so the
API's log lines and the outbox rows the request writes carry it (the relay sends it to the tasks
as a header), and returned in the response.
"""

from __future__ import annotations

from flask import g, request

from watcher_celery import logcontext

HEADER = "X-OpenStack-Request-Id"


def begin() -> None:
    """before_request (first of all): choose the id and bind it."""
    given = request.headers.get(HEADER)
    g.request_id = given if logcontext.valid_request_id(given) else logcontext.new_request_id()
    g.request_id_token = logcontext.bind(request_id=g.request_id)


def answer(response):
    """after_request: every answer, errors included, names the request."""
    request_id = g.get("request_id")
    if request_id:
        response.headers[HEADER] = request_id
    return response


def end(_exc=None) -> None:
    """teardown_request: the thread serves the next request with a clean context."""
    token = g.pop("request_id_token", None)
    if token is not None:
        logcontext.reset(token)
