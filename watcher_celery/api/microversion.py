"""API microversions: ``OpenStack-API-Version: infra-optim X.Y`` negotiation and headers."""

from __future__ import annotations

import re

import microversion_parse
from flask import g, request
from flask.wrappers import Response

from watcher_celery.errors import Invalid, NotAcceptable

SERVICE_TYPE = "infra-optim"
MIN_VERSION = (1, 0)
MAX_VERSION = (1, 7)
HEADER = "OpenStack-API-Version"
ENTRY = re.compile(r"[\w.-]+\s+\S+")
VERSION = re.compile(r"\d{1,4}(\.\d{1,4}){0,2}")


def fmt(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def _requested(headers) -> str | None:
    """The ``infra-optim`` entry of the header, parsed by microversion-parse as upstream does:
    ``compute 2.1, infra-optim 1.3`` asks for 1.3; no entry for this service is None."""
    for value in headers.getlist(HEADER):
        if not value.strip():
            continue  # an empty header is no header
        for entry in value.split(","):
            if not ENTRY.fullmatch(entry.strip()):
                raise Invalid(
                    f"Invalid value for {HEADER} header: {entry.strip()!r} is not "
                    f"'<service type> <version>', e.g. '{SERVICE_TYPE} {fmt(MAX_VERSION)}'"
                )
    try:
        return microversion_parse.get_version(headers, service_type=SERVICE_TYPE)
    except (ValueError, TypeError) as exc:
        raise Invalid(f"Invalid value for {HEADER} header: {exc}") from None


def parse(headers) -> tuple[int, int]:
    """The negotiated version: none asked for is 1.0, ``latest`` the maximum, a value that is
    not ``X.Y`` a 400, a version outside the supported range a 406."""
    raw = _requested(headers)
    if raw is None:
        return MIN_VERSION
    raw = raw.strip().lower()
    if raw == "latest":
        return MAX_VERSION
    if not VERSION.fullmatch(raw):
        raise Invalid(
            f"Invalid value for {HEADER} header: {raw!r} is not a version such as "
            f"'{SERVICE_TYPE} {fmt(MAX_VERSION)}' or '{SERVICE_TYPE} latest'"
        )
    parts = tuple(int(p) for p in raw.split("."))
    version = (parts[0], parts[1] if len(parts) > 1 else 0)
    if len(parts) > 2 or not MIN_VERSION <= version <= MAX_VERSION:
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
        g.api_version = parse(request.headers)


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
