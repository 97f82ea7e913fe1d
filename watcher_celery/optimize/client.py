"""HTTP to the Watcher API: the token header, Watcher's error body decoded, pages followed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import requests

TOKEN_HEADER = "X-Auth-Token"
MICROVERSION = "infra-optim 1.4"
TIMEOUT = 30.0


class ApiError(Exception):
    """Raised when the API answers an error: the status and Watcher's faultstring."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _fault(response: requests.Response) -> str:
    try:
        body = response.json()
        inner = json.loads(body["error_message"])
        return inner.get("faultstring") or str(inner)
    except (ValueError, KeyError, TypeError):
        return response.text.strip()[:300] or response.reason


def _path_of(link: str) -> str:
    """``http://host:port/v1/x?marker=y`` -> ``/v1/x?marker=y`` (the API may sit behind a
    proxy that names itself differently)."""
    if "://" in link:
        rest = link.split("://", 1)[1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else ""
    return link


class WatcherApi:
    """One API endpoint and its credentials."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["OpenStack-API-Version"] = MICROVERSION
        if token:
            self.session.headers[TOKEN_HEADER] = token

    def request(self, method: str, path: str, body: Any = None) -> Any:
        try:
            response = self.session.request(method, self.url + path, json=body, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise ApiError(0, f"cannot reach {self.url}: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise ApiError(response.status_code, _fault(response))
        return response.json() if response.content else None

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, body)

    def pages(self, path: str, key: str) -> Iterator[dict]:
        """Every item of a collection, following its ``next`` links."""
        while path:
            body = self.get(path)
            yield from body.get(key, [])
            path = _path_of(body.get("next") or "")

    # --- the resources the commands use ---------------------------------------------------

    def audit(self, ident: str) -> dict:
        return self.get(f"/v1/audits/{ident}")

    def plan(self, ident: str) -> dict:
        return self.get(f"/v1/action_plans/{ident}")

    def plans_of(self, audit_uuid: str) -> list[dict]:
        return list(self.pages(f"/v1/action_plans?audit_uuid={audit_uuid}", "action_plans"))

    def actions_of(self, plan_uuid: str) -> list[dict]:
        return list(
            self.pages(f"/v1/actions/detail?action_plan_uuid={plan_uuid}&limit=1000", "actions")
        )
