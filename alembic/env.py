"""Alembic environment: migrations run against the configured database URL."""

from logging.config import fileConfig

from alembic import context
from watcher_celery.db.models import Base
from watcher_celery.db.session import get_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

# Tables other libraries keep in our database (e.g. a beat scheduler's) are not ours to drop.
FOREIGN_TABLE_PREFIXES = ("celery_", "kombu_")


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table" and reflected and compare_to is None:
        return not str(name).startswith(FOREIGN_TABLE_PREFIXES)
    return True


def run_migrations() -> None:
    connectable = config.attributes.get("connection") or get_engine()
    if hasattr(connectable, "connect") and not hasattr(connectable, "dialect_options"):
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
