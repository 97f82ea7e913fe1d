"""Every datetime column reads back aware and in UTC, on PostgreSQL and SQLite alike."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import DateTime, select, text, update

from watcher_celery.db import Base, Service, get_engine, session_scope
from watcher_celery.db.types import UTCDateTime

NOON = datetime(2026, 1, 5, 12, 0, 0, 123456, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))


def _service(**values) -> int:
    with session_scope() as session:
        row = Service(name=f"svc-{uuid.uuid4().hex[:8]}", host="h", **values)
        session.add(row)
        session.flush()
        return row.id


def _read(service_id: int) -> Service:
    with session_scope() as session:
        row = session.get(Service, service_id)
        session.expunge(row)
        return row


def _delete(service_id: int) -> None:
    with session_scope() as session:
        session.delete(session.get(Service, service_id))


def test_a_stored_time_reads_back_aware_in_utc_as_the_same_instant(database):
    # Given a time written in another zone
    written = NOON.astimezone(PLUS_TWO)
    service_id = _service(last_seen_up=written)
    try:
        row = _read(service_id)
        # Then it reads back as the same instant, aware, in UTC
        assert row.last_seen_up == written
        assert row.last_seen_up.tzinfo is UTC and row.last_seen_up.hour == 12
        assert row.created_at.tzinfo is UTC
        assert abs(datetime.now(UTC) - row.created_at) < timedelta(hours=1)
    finally:
        _delete(service_id)


def test_a_naive_time_is_taken_as_utc(database):
    service_id = _service(last_seen_up=NOON.replace(tzinfo=None))
    try:
        assert _read(service_id).last_seen_up == NOON
    finally:
        _delete(service_id)


def test_column_selects_and_core_updates_go_through_the_type(database):
    service_id = _service()
    try:
        with session_scope() as session:
            session.execute(
                update(Service.__table__)
                .where(Service.__table__.c.id == service_id)
                .values(last_seen_up=NOON.astimezone(PLUS_TWO))
            )
        with session_scope() as session:
            seen = session.execute(
                select(Service.last_seen_up).where(Service.id == service_id)
            ).scalar_one()
        assert seen == NOON and seen.tzinfo is UTC
    finally:
        _delete(service_id)


def test_comparisons_in_sql_compare_instants_not_wall_times(database):
    # Given a row seen at noon UTC (14:00 at +02:00)
    service_id = _service(last_seen_up=NOON)
    try:
        with session_scope() as session:

            def seen_before(moment: datetime) -> bool:
                found = session.scalar(
                    select(Service.id).where(
                        Service.id == service_id, Service.last_seen_up < moment
                    )
                )
                return found is not None

            # Then 13:30 at +02:00 (11:30 UTC) is before it and 14:30 at +02:00 after it
            assert not seen_before(datetime(2026, 1, 5, 13, 30, tzinfo=PLUS_TWO))
            assert seen_before(datetime(2026, 1, 5, 14, 30, tzinfo=PLUS_TWO))
    finally:
        _delete(service_id)


def test_rows_written_before_the_type_read_back_aware(database):
    # Given a row written as the database's plain timestamp text (SQLite: naive UTC)
    name = f"svc-{uuid.uuid4().hex[:8]}"
    stamp = "2026-01-05 12:00:00.123456" + ("+00:00" if "postgresql" in database else "")
    with get_engine().begin() as connection:
        connection.execute(
            text(
                "INSERT INTO services (name, host, created_at, last_seen_up, deleted) "
                "VALUES (:name, 'h', :stamp, :stamp, 0)"
            ),
            {"name": name, "stamp": stamp},
        )
    with session_scope() as session:
        row = session.scalars(select(Service).where(Service.name == name)).one()
        assert row.last_seen_up == NOON and row.last_seen_up.tzinfo is UTC
        session.delete(row)


def test_postgresql_in_another_session_time_zone_still_reads_utc(database):
    service_id = _service(last_seen_up=NOON)
    try:
        with session_scope() as session:
            if "postgresql" in database:
                session.execute(text("SET TIME ZONE 'Asia/Tokyo'"))
            row = session.get(Service, service_id)
            assert row.last_seen_up == NOON and row.last_seen_up.tzinfo is UTC
    finally:
        _delete(service_id)


def test_every_datetime_column_uses_the_utc_type():
    columns = [c for t in Base.metadata.tables.values() for c in t.columns]
    timed = [c for c in columns if isinstance(c.type, DateTime | UTCDateTime)]
    plain = [f"{c.table.name}.{c.name}" for c in timed if not isinstance(c.type, UTCDateTime)]
    assert len(timed) >= 15 and plain == []
