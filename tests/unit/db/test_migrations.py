"""Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from watcher_celery.db import Base, get_engine


def test_autogenerate_finds_no_difference_between_models_and_migrations(database):
    # Given a database upgraded to head (fixture), When autogenerate compares it with models
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    # Then there is nothing to migrate
    assert diff == []


def test_head_has_every_model_table(database):
    tables = set(inspect(get_engine()).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
