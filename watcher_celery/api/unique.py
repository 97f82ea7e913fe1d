"""Names are unique among live rows (a unique ``(name, deleted)`` constraint): a clash is 409."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from watcher_celery.errors import Conflict


@contextmanager
def unique_name(kind: str, name: str | None) -> Iterator[None]:
    """Turn the database's unique-constraint error raised inside the block into a 409."""
    try:
        yield
    except IntegrityError:
        raise Conflict(f"An {kind} with UUID or name {name} already exists") from None
