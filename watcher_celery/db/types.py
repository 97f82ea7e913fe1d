"""One datetime column type for both databases: stored as UTC, always read back aware, in UTC.

PostgreSQL keeps ``timestamp with time zone`` and hands back aware values (in the session's
time zone); SQLite has no time zone and hands back naive ones. Behind this type both give the
same thing, so no code reading a row has to know which database it came from.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC and aware; a naive value is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` whose values are aware UTC datetimes both ways.

    SQLite stores the naive UTC wall time (the text SQLAlchemy always wrote there), so rows
    written before this type read back the same and compare in SQL as before.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)
