"""Secure by default: what a service may expose before it starts.

The API and Flower can start, cancel and change action plans — on a real cloud, live
migrations. Neither starts reachable from other machines without credentials: the API refuses
to listen unauthenticated on anything but loopback unless the operator opts out explicitly,
and Flower always needs basic-auth credentials (its HTTP API can send any task and shut
workers down).
"""

from __future__ import annotations

import ipaddress

from watcher_celery.config import Settings


def is_loopback(host: str) -> bool:
    """``127.0.0.1``, ``::1``, ``[::1]``, ``localhost``; any other name or address is not."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_refusal(settings: Settings) -> str | None:
    """Why the API must not start as configured, or None when it may."""
    if settings.auth_enabled or settings.api_allow_unauthenticated:
        return None
    if is_loopback(settings.api_host):
        return None
    return (
        f"Refusing to serve the API without authentication on {settings.api_host}:"
        f"{settings.api_port}, an address other machines can reach. Turn authentication on "
        "with WATCHER_AUTH=keystone (Keystone tokens, see docs/openstack.md) or "
        "WATCHER_AUTH=tokens with WATCHER_AUTH_TOKENS='<token>:admin,...'; or listen on "
        "127.0.0.1; or, to accept that anyone who reaches the port can run action plans, set "
        "WATCHER_API_ALLOW_UNAUTHENTICATED=true."
    )


def flower_basic_auth(settings: Settings) -> tuple[str | None, str | None]:
    """``(credentials, None)`` for Flower's ``--basic-auth``, or ``(None, why not)``."""
    if settings.flower_unauthenticated_api:
        return None, (
            "Refusing to start Flower with FLOWER_UNAUTHENTICATED_API: its HTTP API can run "
            "any task (an action plan on the cloud) and shut workers down. Unset it and give "
            "credentials in WATCHER_FLOWER_BASIC_AUTH='user:password'."
        )
    credentials = settings.flower_basic_auth.strip()
    pairs = [p for p in credentials.split(",") if p]
    if not pairs or any(":" not in p or p.startswith(":") or p.endswith(":") for p in pairs):
        return None, (
            "Flower needs credentials: set WATCHER_FLOWER_BASIC_AUTH='user:password' "
            "(several as 'user1:pw1,user2:pw2'); its pages and HTTP API then ask for them."
        )
    return credentials, None
