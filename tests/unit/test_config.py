"""Settings that keep deployments apart: the events channel carries the deployment's identity."""

from __future__ import annotations

from watcher_celery.config import Settings, reset_settings

PG = "postgresql+psycopg://watcher:{}@db.example/watcher"


def _channel(settings_env, **env: str) -> str:
    for name in ("WATCHER_EVENTS_CHANNEL", "WATCHER_DEPLOYMENT"):
        settings_env.delenv(name, raising=False)
    for name, value in env.items():
        settings_env.setenv(name, value)
    reset_settings()
    return Settings.from_env().events_channel


def test_two_databases_publish_on_two_channels_by_default(settings_env):
    # Given two deployments on one Redis, told apart only by their databases
    one = _channel(settings_env, WATCHER_DATABASE_URL="postgresql+psycopg://h/one")
    two = _channel(settings_env, WATCHER_DATABASE_URL="postgresql+psycopg://h/two")
    # Then their events never meet
    assert one != two
    assert one.startswith("watcher.events.") and two.startswith("watcher.events.")


def test_a_password_change_keeps_the_channel_and_never_shows_in_it(settings_env):
    before = _channel(settings_env, WATCHER_DATABASE_URL=PG.format("s3cret"))
    after = _channel(settings_env, WATCHER_DATABASE_URL=PG.format("rotated"))
    assert before == after
    assert "s3cret" not in before


def test_the_deployment_name_or_an_explicit_channel_wins(settings_env):
    named = _channel(settings_env, WATCHER_DEPLOYMENT="region-one")
    assert named == "watcher.events.region-one"
    explicit = _channel(settings_env, WATCHER_DEPLOYMENT="x", WATCHER_EVENTS_CHANNEL="mine")
    assert explicit == "mine"
