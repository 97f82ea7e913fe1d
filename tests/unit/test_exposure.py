"""What may start: loopback detection, the API's refusal, Flower's credentials."""

from __future__ import annotations

import pytest

from watcher_celery.config import Settings, reset_settings
from watcher_celery.exposure import api_refusal, flower_basic_auth, is_loopback


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("watcher.example.org", False),
    ],
)
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_the_api_refuses_only_unauthenticated_reachable_addresses():
    base = Settings(api_host="0.0.0.0", auth="none")
    assert "WATCHER_AUTH=keystone" in api_refusal(base)
    assert api_refusal(base.model_copy(update={"api_host": "127.0.0.1"})) is None
    assert api_refusal(base.model_copy(update={"auth": "tokens"})) is None
    assert api_refusal(base.model_copy(update={"auth": "keystone"})) is None
    assert api_refusal(base.model_copy(update={"api_allow_unauthenticated": True})) is None


@pytest.mark.parametrize(
    ("environ", "credentials"),
    [
        ({"WATCHER_FLOWER_BASIC_AUTH": "ops:pw"}, "ops:pw"),
        ({"FLOWER_BASIC_AUTH": "a:1,b:2"}, "a:1,b:2"),
        ({}, None),
        ({"WATCHER_FLOWER_BASIC_AUTH": "nopassword"}, None),
        ({"WATCHER_FLOWER_BASIC_AUTH": "ops:"}, None),
        ({"WATCHER_FLOWER_BASIC_AUTH": "ops:pw", "FLOWER_UNAUTHENTICATED_API": "true"}, None),
    ],
)
def test_flower_needs_credentials_and_never_an_open_api(settings_env, environ, credentials):
    for name in ("WATCHER_FLOWER_BASIC_AUTH", "FLOWER_BASIC_AUTH", "FLOWER_UNAUTHENTICATED_API"):
        settings_env.delenv(name, raising=False)
    for name, value in environ.items():
        settings_env.setenv(name, value)
    reset_settings()
    given, refusal = flower_basic_auth(Settings.from_env())
    assert given == credentials
    assert (refusal is None) is (credentials is not None)
