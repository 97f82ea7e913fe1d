"""Keystone tokens in front of the API: keystonemiddleware's ``auth_token`` as WSGI middleware.

The middleware validates ``X-Auth-Token`` with Keystone using the service user's credentials
and sets ``X-Identity-Status`` and ``X-Roles``. It runs with ``delay_auth_decision`` so a bad
token reaches the app marked ``Invalid`` and is answered by ``api/auth.py`` with Watcher's
error body, not the middleware's own; on the way out the middleware adds to every 401 a
``WWW-Authenticate: Keystone uri=...`` naming where to get a token.
"""

from __future__ import annotations

from watcher_celery.config import Settings

REQUIRED = ("keystone_auth_url", "keystone_username", "keystone_password")


def middleware_conf(settings: Settings) -> dict[str, str]:
    """keystonemiddleware's options (its ``[keystone_authtoken]`` section) from settings."""
    missing = [f"WATCHER_{name.upper()}" for name in REQUIRED if not getattr(settings, name)]
    if missing:
        raise ValueError(f"WATCHER_AUTH=keystone needs {', '.join(missing)}")
    return {
        "auth_type": "password",
        "auth_url": settings.keystone_auth_url,
        "username": settings.keystone_username,
        "password": settings.keystone_password,
        "project_name": settings.keystone_project_name,
        "user_domain_name": settings.keystone_user_domain_name,
        "project_domain_name": settings.keystone_project_domain_name,
        "region_name": settings.keystone_region_name,
        "interface": settings.keystone_interface,
        "www_authenticate_uri": settings.keystone_auth_url,
        "delay_auth_decision": "true",
        "log_name": "watcher_celery.keystonemiddleware",
    }


def protect(wsgi_app, settings: Settings):
    """``wsgi_app`` behind ``auth_token`` (imported here: it takes about a second)."""
    from keystonemiddleware import auth_token

    return auth_token.AuthProtocol(wsgi_app, middleware_conf(settings))
