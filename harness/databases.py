"""Scratch PostgreSQL databases: create one, point this process at it, drop it.

The server is ``WATCHER_TEST_PG`` (an admin URL; default the local PostgreSQL as postgres).
"""

from __future__ import annotations

import os

import psycopg

from watcher_celery.config import reset_settings
from watcher_celery.db import reset_engine

PG_ADMIN_URL = os.environ.get("WATCHER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def sqlalchemy_pg_url(database: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{database}"


def create_pg_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return sqlalchemy_pg_url(name)


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def use_database(url: str) -> None:
    """Point this process at ``url`` (settings and engine re-read)."""
    os.environ["WATCHER_DATABASE_URL"] = url
    reset_settings()
    reset_engine()
