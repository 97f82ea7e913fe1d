"""Inserting many rows of one table fast, in the caller's transaction.

A plan of a 10,000-host audit holds 70,000–90,000 actions. Through the ORM (or Core's
``insert`` with its per-row bind processing) writing them costs seconds of CPU; here each
value goes through its column type's own bind processor once and the rows reach the driver
in one call: PostgreSQL's ``COPY ... FROM STDIN`` (psycopg), the DB-API ``executemany``
elsewhere. The values stored are the same as the ORM would store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (one value per name in ``columns``) into ``table``."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    target = dialect.identifier_preparer.format_table(table)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy(connection, target, names, [table.c[n] for n in columns], rows)
        return
    placeholder = _PLACEHOLDER.get(dialect.paramstyle)
    if placeholder is None:  # a driver with another parameter style: Core's own executemany
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    processors = [_processor(table.c[n].type, dialect) for n in columns]
    sql = f"INSERT INTO {target} ({names}) VALUES ({', '.join([placeholder] * len(columns))})"
    connection.exec_driver_sql(sql, _processed(rows, processors))


def _processor(type_: Any, dialect: Any) -> Callable[[Any], Any] | None:
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _processed(rows: Sequence[Sequence[Any]], processors: list) -> list[tuple]:
    if not any(processors):
        return [tuple(row) for row in rows]
    columns = list(zip(*rows, strict=True))
    for k, process in enumerate(processors):
        if process is not None:
            columns[k] = _column(columns[k], process)
    return list(zip(*columns, strict=True))


def _column(values: Sequence[Any], process: Callable[[Any], Any]) -> list[Any]:
    """One column's values processed; a value that is the very object of the row before (a
    constant column, a list shared by rows) is processed once, not once per row."""
    out = []
    before = done = _NOTHING
    for value in values:
        if value is not before:
            before, done = value, process(value)
        out.append(done)
    return out


_NOTHING = object()


def _copy(connection, target: str, names: str, columns: list, rows) -> None:
    """COPY in text form; JSON values are serialised as the JSON type would."""
    encoded = [k for k, column in enumerate(columns) if isinstance(column.type, JSON)]
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                if encoded:
                    row = list(row)
                    for k in encoded:
                        row[k] = json.dumps(row[k])
                copy.write_row(row)
    finally:
        cursor.close()
