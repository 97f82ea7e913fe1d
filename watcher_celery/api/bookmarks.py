"""Bookmark links resolve: ``/<resource>/<id>`` is served as ``/v1/<resource>/<id>``.

Every object carries a ``bookmark`` link without the version prefix, as upstream Watcher's do;
upstream routes a path whose first segment is not a known version to ``/v1``. This WSGI layer
does the same for the resource names, before Flask routes the request.
"""

from __future__ import annotations

RESOURCES = frozenset(
    {
        "goals",
        "strategies",
        "audit_templates",
        "audits",
        "action_plans",
        "actions",
        "scoring_engines",
        "services",
        "data_model",
        "webhooks",
    }
)


class BookmarkRoutes:
    """WSGI middleware: prefix ``/v1`` to paths that start with a resource name."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.split("/", 2)[1:2] and path.split("/", 2)[1] in RESOURCES:
            environ["PATH_INFO"] = "/v1" + path
        return self.app(environ, start_response)
