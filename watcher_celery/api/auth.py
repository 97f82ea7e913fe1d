"""Token authentication: ``X-Auth-Token`` checked against the tokens the service is given.

``WATCHER_AUTH_TOKENS="tokenA:admin,tokenB:reader"`` names each token's role: ``admin`` may do
everything, ``reader`` only GET (403 on writes); no or an unknown token is 401. Authentication
is off unless ``WATCHER_AUTH_ENABLED`` is true (the embedded ``make run`` is local).
``WATCHER_WEBHOOKS_PUBLIC`` exempts ``POST /v1/webhooks/...`` so an alarm service can call it
without a token. ``/`` and the API documentation are public.

Enforced once, as a ``before_request`` hook, so no view can forget it; ``api/smorest.py``
documents the 401 and 403 answers on every operation and the spec names the header.
Tokens are compared in constant time and never logged or echoed.
"""

from __future__ import annotations

import hmac
from functools import cache

from flask import request

from watcher_celery.config import get_settings
from watcher_celery.errors import Forbidden, NotAuthenticated

HEADER = "X-Auth-Token"
ADMIN, READER = "admin", "reader"
ROLES = frozenset({ADMIN, READER})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_PATHS = frozenset({"/", "/openapi.json", "/docs"})
SECURITY_SCHEME = {"type": "apiKey", "in": "header", "name": HEADER}


@cache
def parse_tokens(raw: str) -> tuple[tuple[str, str], ...]:
    """``"a:admin,b:reader"`` → ``(("a", "admin"), ("b", "reader"))``; bad entries raise."""
    pairs = []
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        token, _, role = entry.rpartition(":")
        if not token or role not in ROLES:
            raise ValueError("WATCHER_AUTH_TOKENS entries must be <token>:admin or <token>:reader")
        pairs.append((token, role))
    return tuple(pairs)


def role_of(token: str | None) -> str | None:
    """The role of ``token``, comparing against every configured token in constant time."""
    found = None
    given = (token or "").encode()
    for known, role in parse_tokens(get_settings().auth_tokens):
        if hmac.compare_digest(given, known.encode()) and token:
            found = role
    return found


def _public(path: str) -> bool:
    if path in PUBLIC_PATHS or path.startswith("/docs/"):
        return True
    return get_settings().webhooks_public and path.startswith("/v1/webhooks/")


def check() -> None:
    """before_request: 401 without a valid token, 403 when a reader tries to write."""
    if not get_settings().auth_enabled or _public(request.path.rstrip("/") or "/"):
        return
    role = role_of(request.headers.get(HEADER))
    if role is None:
        raise NotAuthenticated("Authentication required: send a valid X-Auth-Token header")
    if request.method not in READ_METHODS and role != ADMIN:
        raise Forbidden(f"Policy doesn't allow {request.method} {request.path} to be performed")
