"""Version discovery: ``GET /`` and ``GET /v1``."""

from __future__ import annotations

from flask import Blueprint, request

from watcher_celery.api import microversion

blp = Blueprint("root", __name__)


def _app_url() -> str:
    return request.url_root.rstrip("/")


def _version() -> dict:
    return {
        "id": "v1",
        "status": "CURRENT",
        "min_version": microversion.fmt(microversion.MIN_VERSION),
        "max_version": microversion.fmt(microversion.MAX_VERSION),
        "links": [{"rel": "self", "href": f"{_app_url()}/v1/"}],
    }


@blp.get("/")
def root():
    version = _version()
    return {
        "name": "OpenStack Watcher API",
        "description": "Watcher is an OpenStack project which aims to improve physical "
        "resources usage through better VM placement.",
        "versions": [version],
        "default_version": version,
    }


def _pair(resource: str) -> list[dict[str, str]]:
    base = request.host_url.rstrip("/")
    return [
        {"rel": "self", "href": f"{base}/v1/{resource}/"},
        {"rel": "bookmark", "href": f"{base}/{resource}/"},
    ]


@blp.get("/v1")
@blp.get("/v1/")
def v1():
    body = {
        "id": "v1",
        "media_types": [
            {"base": "application/json", "type": "application/vnd.openstack.watcher.v1+json"}
        ],
        "links": [{"rel": "self", "href": f"{_app_url()}/v1/"}],
    }
    for resource in (
        "audit_templates",
        "audits",
        "actions",
        "action_plans",
        "scoring_engines",
        "services",
    ):
        body[resource] = _pair(resource)
    if microversion.at_least(3):
        body["data_model"] = _pair("data_model")
    if microversion.at_least(4):
        body["webhooks"] = _pair("webhooks")
    return body
