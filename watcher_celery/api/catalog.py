"""Registering the API in the Keystone catalog, so clients find it from a ``clouds.yaml``.

python-watcherclient and ``openstack optimize`` look up service type ``infra-optim`` (as
upstream Watcher registers it) in the catalog of the token they get. At start-up, with
``WATCHER_AUTH=keystone`` and ``WATCHER_PUBLIC_ENDPOINT`` set, the API logs in as its service
user and makes sure the catalog has that service with a public and an internal endpoint at
that URL in ``WATCHER_KEYSTONE_REGION_NAME``: created when missing, corrected when the URL
changed, left alone when right. Running it twice changes nothing.
"""

from __future__ import annotations

import logging

from watcher_celery.config import Settings

LOG = logging.getLogger(__name__)
SERVICE_TYPE = "infra-optim"
SERVICE_NAME = "watcher"
INTERFACES = ("public", "internal")


def _connect(settings: Settings):
    import openstack  # about 0.4 s: only when registering

    return openstack.connect(
        auth_url=settings.keystone_auth_url,
        username=settings.keystone_username,
        password=settings.keystone_password,
        project_name=settings.keystone_project_name,
        user_domain_name=settings.keystone_user_domain_name,
        project_domain_name=settings.keystone_project_domain_name,
        region_name=settings.keystone_region_name,
        interface="public",
        identity_api_version="3",
    )


def register(settings: Settings) -> list[str]:
    """Make the catalog match ``settings.public_endpoint``; return what was changed."""
    url = settings.public_endpoint.rstrip("/")
    region = settings.keystone_region_name
    identity = _connect(settings).identity
    changes: list[str] = []
    service = next(iter(identity.services(type=SERVICE_TYPE)), None)
    if service is None:
        service = identity.create_service(
            type=SERVICE_TYPE, name=SERVICE_NAME, description="Watcher (infra-optim)"
        )
        changes.append(f"service {SERVICE_TYPE} created")
    endpoints = list(identity.endpoints(service_id=service.id))
    for interface in INTERFACES:
        found = [e for e in endpoints if e.interface == interface and e.region_id == region]
        if not found:
            identity.create_endpoint(
                service_id=service.id, interface=interface, url=url, region_id=region
            )
            changes.append(f"{interface} endpoint {url} created")
        elif found[0].url != url:
            identity.update_endpoint(found[0], url=url)
            changes.append(f"{interface} endpoint {found[0].url} -> {url}")
    LOG.info("catalog: %s", "; ".join(changes) or f"{SERVICE_TYPE} already at {url}")
    return changes
