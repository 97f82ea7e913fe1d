"""Authentication and policy, checked once per request (a ``before_request`` hook).

``WATCHER_AUTH`` chooses who vouches for the caller:

* ``none`` — nobody; every request may do everything (the embedded ``make run``; the API
  refuses to listen like this beyond loopback, ``watcher_celery/exposure.py``);
* ``tokens`` — static tokens: ``WATCHER_AUTH_TOKENS="tokenA:admin,tokenB:reader"`` gives each
  ``X-Auth-Token`` its role (``admin``, ``reader`` or ``service``); compared in constant time,
  never logged or echoed;
* ``keystone`` — keystonemiddleware's ``auth_token`` validates the token against Keystone and
  sets ``X-Identity-Status`` and ``X-Roles`` (``api/keystone.py``).

Either way the roles then go through upstream Watcher's policy (``api/policy.py``): no or an
invalid token is 401, a role the rule does not admit is 403 ``Policy doesn't allow <rule> to be
performed.``. ``/``, the API documentation, ``/healthz``, ``/readyz`` and the dashboard's page
and static files are public (its data endpoints are not), ``/metrics`` with
``WATCHER_METRICS_PUBLIC`` (otherwise any valid role reads it); ``WATCHER_WEBHOOKS_PUBLIC``
exempts ``POST /v1/webhooks/...`` (upstream's ``[api] enable_webhooks_auth = False``).
"""

from __future__ import annotations

import hmac
from functools import cache
from typing import Any

from flask import request

from watcher_celery.api import policy
from watcher_celery.config import get_settings
from watcher_celery.errors import Forbidden, NotAuthenticated

HEADER = "X-Auth-Token"
ADMIN, READER, SERVICE = "admin", "reader", "service"
ROLES = frozenset({ADMIN, READER, SERVICE})
# The dashboard's page and files hold no data: the page asks for a token, its data endpoints
# are checked like the API's.
PUBLIC_PATHS = frozenset({"/", "/openapi.json", "/docs", "/dashboard", "/healthz", "/readyz"})
PUBLIC_PREFIXES = ("/docs/", "/dashboard/static/")
SECURITY_SCHEME = {"type": "apiKey", "in": "header", "name": HEADER}


@cache
def parse_tokens(raw: str) -> tuple[tuple[str, str], ...]:
    """``"a:admin,b:reader"`` → ``(("a", "admin"), ("b", "reader"))``; bad entries raise."""
    pairs = []
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        token, _, role = entry.rpartition(":")
        if not token or role not in ROLES:
            raise ValueError(
                "WATCHER_AUTH_TOKENS entries must be <token>:admin, <token>:reader or "
                "<token>:service"
            )
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
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return True
    if path == "/metrics":
        return get_settings().metrics_public
    return get_settings().webhooks_public and path.startswith("/v1/webhooks/")


def credentials() -> dict[str, Any] | None:
    """The caller as oslo.policy sees it (``roles``, ``project_id``, ...), or None."""
    if get_settings().auth == "keystone":
        if request.headers.get("X-Identity-Status") != "Confirmed":
            return None
        roles = [r.strip() for r in request.headers.get("X-Roles", "").split(",") if r.strip()]
        return {
            "roles": roles,
            "user_id": request.headers.get("X-User-Id"),
            "project_id": request.headers.get("X-Project-Id"),
        }
    role = role_of(request.headers.get(HEADER))
    return None if role is None else {"roles": [role]}


def check() -> None:
    """before_request: 401 without valid credentials, 403 when the policy says no."""
    if not get_settings().auth_enabled or _public(request.path.rstrip("/") or "/"):
        return
    caller = credentials()
    if caller is None:
        raise NotAuthenticated("Authentication required: send a valid X-Auth-Token header")
    rule = policy.rule_for(request)
    if rule is not None and not policy.allowed(rule, caller):
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")
