"""What the OpenAPI document states beyond what the marshmallow schemas express.

The microversion header every ``/v1`` operation reads is declared on the routes
(``api/smorest.py``); here, rules a plain field list cannot say: a JSON-patch ``add`` or
``replace`` needs a ``value``.
"""

from __future__ import annotations

from apispec import APISpec

from watcher_celery.api import microversion

VERSION_HEADER = {
    "in": "header",
    "name": microversion.HEADER,
    "required": False,
    "description": (
        f"'{microversion.SERVICE_TYPE} X.Y' selects API microversion "
        f"{microversion.fmt(microversion.MIN_VERSION)} to "
        f"{microversion.fmt(microversion.MAX_VERSION)} ('latest' is the newest); without it "
        "1.0. Fields and endpoints added by later microversions appear only when asked for."
    ),
    "schema": {
        "type": "string",
        "pattern": rf"^{microversion.SERVICE_TYPE} (1\.[0-7]|latest)$",
        "example": f"{microversion.SERVICE_TYPE} {microversion.fmt(microversion.MAX_VERSION)}",
    },
}


def complete(spec: APISpec) -> None:
    """Add the rules the schemas cannot express to the registered components."""
    patch = spec.components.schemas.get("PatchOperation")
    if patch is not None:
        patch["anyOf"] = [
            {"properties": {"op": {"enum": ["remove"]}}},
            {"required": ["value"]},
        ]
