"""The REST API: ``create_app()`` wires flask-smorest, auth, error bodies and every resource."""

from __future__ import annotations

from flask import Flask, send_from_directory
from sqlalchemy.exc import StatementError
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from watcher_celery.api import (
    action_plans,
    actions,
    audit_templates,
    audits,
    auth,
    bookmarks,
    dashboard,
    data_model,
    goals,
    health,
    keystone,
    microversion,
    openapi,
    policy,
    request_id,
    root,
    scoring_engines,
    services,
    strategies,
    webhooks,
)
from watcher_celery.api.errors import (
    handle_database_input,
    handle_http_exception,
    handle_unexpected,
    handle_watcher_error,
)
from watcher_celery.api.smorest import Api
from watcher_celery.config import get_settings
from watcher_celery.errors import WatcherCeleryError

# Registered in this order; each module exposes one flask-smorest Blueprint ``blp``.
RESOURCES = (
    goals,
    strategies,
    audit_templates,
    audits,
    action_plans,
    actions,
    scoring_engines,
    services,
    webhooks,
    data_model,
)
DOCS_ASSETS = "/docs/assets/"


def _serve_docs_asset(filename: str):
    """Swagger UI's files from the installed swagger-ui-bundle: the docs page needs no CDN."""
    return send_from_directory(str(swagger_ui_path), filename)


def create_app(sync: bool = True) -> Flask:
    """Build the WSGI app; ``sync`` writes installed goals, strategies and scorers to the DB."""
    settings = get_settings()
    auth.parse_tokens(settings.auth_tokens)  # refuse to start on a malformed setting
    app = Flask("watcher_celery")
    app.config.update(
        MAX_CONTENT_LENGTH=settings.api_max_body,
        API_TITLE="Watcher API",
        API_VERSION="1.7",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=DOCS_ASSETS,
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"token": auth.SECURITY_SCHEME}},
            "security": [{"token": []}],
        },
    )
    app.url_map.strict_slashes = False
    api = Api(app)
    app.register_blueprint(root.blp)
    app.register_blueprint(dashboard.blp)
    app.register_blueprint(health.blp)
    for resource in RESOURCES:
        api.register_blueprint(resource.blp)
    app.add_url_rule(f"{DOCS_ASSETS}<path:filename>", "docs_assets", _serve_docs_asset)

    app.register_error_handler(WatcherCeleryError, handle_watcher_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(StatementError, handle_database_input)
    app.register_error_handler(UnicodeEncodeError, handle_database_input)
    app.register_error_handler(Exception, handle_unexpected)
    app.before_request(request_id.begin)
    app.after_request(request_id.answer)
    app.teardown_request(request_id.end)
    app.before_request(auth.check)
    app.before_request(microversion.negotiate)
    app.after_request(microversion.add_headers)

    openapi.complete(api.spec)
    app.wsgi_app = bookmarks.BookmarkRoutes(app.wsgi_app)
    if settings.auth_enabled:
        policy.enforcer()  # a missing or malformed policy file stops start-up
    if settings.auth == "keystone":
        app.wsgi_app = keystone.protect(app.wsgi_app, settings)
    if settings.api_proxies > 0:
        n = settings.api_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)

    if sync:
        from watcher_celery.api.scoring_engines.catalog import sync_scoring_engines
        from watcher_celery.decision_engine.sync import sync_plugins

        sync_plugins()
        sync_scoring_engines()
    return app
