"""API microversions: ``OpenStack-API-Version: infra-optim X.Y`` negotiation and headers."""

from __future__ import annotations

from flask import g, request
from flask.wrappers import Response

from watcher_celery.errors import NotAcceptable

SERVICE_TYPE = "infra-optim"
MIN_VERSION = (1, 0)
MAX_VERSION = (1, 7)
HEADER = "OpenStack-API-Version"


def fmt(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def parse(header: str | None) -> tuple[int, int]:
    """The negotiated version; missing or unparseable means 1.0, ``latest`` the maximum."""
    if not header:
        return MIN_VERSION
    parts = header.strip().split()
    if len(parts) != 2 or parts[0].lower() != SERVICE_TYPE:
        return MIN_VERSION
    raw = parts[1].lower()
    if raw == "latest":
        return MAX_VERSION
    try:
        major, _, minor = raw.partition(".")
        version = (int(major), int(minor or 0))
    except ValueError:
        return MIN_VERSION
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise NotAcceptable(
            f"Version {raw} was requested but the minor version is not supported by this "
            f"version of Watcher. Please specify a version in the supported version range "
            f"is: [{fmt(MIN_VERSION)}, {fmt(MAX_VERSION)}]."
        )
    return version


def negotiate() -> None:
    """before_request: store the version on ``g`` (406 outside the supported range)."""
    g.api_version = MIN_VERSION
    if request.path.startswith("/v1"):
        g.api_version = parse(request.headers.get(HEADER))


def current() -> tuple[int, int]:
    return getattr(g, "api_version", MIN_VERSION)


def at_least(minor: int) -> bool:
    return current() >= (1, minor)


def too_old(what: str, minor: int) -> NotAcceptable:
    """The 406 for a field or feature sent with a version older than the one that added it."""
    return NotAcceptable(
        f"{what} requires API microversion 1.{minor} or later; "
        f"this request negotiated {fmt(current())}"
    )


def add_headers(response: Response) -> Response:
    """after_request: every /v1 response names the range and the negotiated version."""
    if request.path.startswith("/v1"):
        response.headers["OpenStack-API-Minimum-Version"] = fmt(MIN_VERSION)
        response.headers["OpenStack-API-Maximum-Version"] = fmt(MAX_VERSION)
        response.headers[HEADER] = f"{SERVICE_TYPE} {fmt(current())}"
        response.headers["Vary"] = HEADER
    return response
