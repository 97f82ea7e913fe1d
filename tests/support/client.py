"""A small HTTP client for the API under test, with Watcher error-body decoding."""

from __future__ import annotations

import json

import requests

from harness.processes import wait_for


class ApiClient:
    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers.update(headers or {})

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base + path, timeout=10, **kwargs)

    def post(self, path: str, body=None, **kwargs) -> requests.Response:
        return self.session.post(self.base + path, json=body, timeout=10, **kwargs)

    def patch(self, path: str, body=None, **kwargs) -> requests.Response:
        return self.session.patch(self.base + path, json=body, timeout=10, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.session.delete(self.base + path, timeout=10, **kwargs)

    def wait_state(self, path: str, states: set[str], timeout: float = 60) -> dict:
        """Poll ``path`` until its ``state`` is one of ``states``; return the object."""
        seen: list[str] = []

        def reached():
            body = self.get(path).json()
            if not seen or seen[-1] != body.get("state"):
                seen.append(body.get("state"))
            return body if body.get("state") in states else None

        try:
            return wait_for(reached, timeout, f"{path} to reach {states}", interval=0.2)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}; states seen: {seen}") from None


def fault(response: requests.Response) -> dict:
    """Decode Watcher's error body: ``{"error_message": "<json>"}``."""
    body = response.json()
    assert set(body) == {"error_message"}, body
    return json.loads(body["error_message"])
