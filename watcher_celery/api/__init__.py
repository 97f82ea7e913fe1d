"""The REST API: ``create_app()`` wires flask-smorest, error bodies and every resource."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException

from watcher_celery.api import action_plans, actions, audits, goals, microversion, root, strategies
from watcher_celery.api.errors import (
    handle_http_exception,
    handle_unexpected,
    handle_watcher_error,
)
from watcher_celery.api.smorest import Api
from watcher_celery.errors import WatcherCeleryError

# Registered in this order; each module exposes one flask-smorest Blueprint ``blp``.
RESOURCES = (goals, strategies, audits, action_plans, actions)


def create_app(sync: bool = True) -> Flask:
    """Build the WSGI app; ``sync`` writes installed goals and strategies to the database."""
    app = Flask("watcher_celery")
    app.config.update(
        API_TITLE="Watcher API",
        API_VERSION="1.7",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
    )
    app.url_map.strict_slashes = False
    api = Api(app)
    app.register_blueprint(root.blp)
    for resource in RESOURCES:
        api.register_blueprint(resource.blp)

    app.register_error_handler(WatcherCeleryError, handle_watcher_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
    app.before_request(microversion.negotiate)
    app.after_request(microversion.add_headers)

    if sync:
        from watcher_celery.decision_engine.sync import sync_plugins

        sync_plugins()
    return app
