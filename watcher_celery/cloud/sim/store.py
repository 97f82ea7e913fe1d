"""The simulated cloud's storage: one SQLite file shared by every process that opens it.

SQLite in WAL mode lets the API, several Celery worker processes and the emulator read while
one of them writes; each change runs in an ``IMMEDIATE`` transaction so two workers cannot
both move the same instance. The file is the simulated cloud's own: nothing of it lives in the
project's database or its migrations.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS flavors (
    name TEXT PRIMARY KEY, id TEXT NOT NULL, vcpus INTEGER NOT NULL, ram INTEGER NOT NULL,
    disk INTEGER NOT NULL, ephemeral INTEGER NOT NULL DEFAULT 0, swap INTEGER NOT NULL DEFAULT 0,
    extra_specs TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS aggregates (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, availability_zone TEXT,
    metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS hosts (
    hostname TEXT PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, service_id INTEGER NOT NULL,
    vcpus INTEGER NOT NULL, memory_mb INTEGER NOT NULL, disk_gb INTEGER NOT NULL,
    vcpu_reserved INTEGER NOT NULL, memory_mb_reserved INTEGER NOT NULL,
    disk_gb_reserved INTEGER NOT NULL, vcpu_ratio REAL NOT NULL, memory_ratio REAL NOT NULL,
    disk_ratio REAL NOT NULL, state TEXT NOT NULL, status TEXT NOT NULL, disabled_reason TEXT,
    availability_zone TEXT, aggregates TEXT NOT NULL DEFAULT '', baremetal_uuid TEXT,
    cpu_overhead REAL NOT NULL DEFAULT 0, ram_overhead_mb REAL NOT NULL DEFAULT 0,
    inlet_temp REAL NOT NULL DEFAULT 22
);
CREATE TABLE IF NOT EXISTS instances (
    uuid TEXT PRIMARY KEY, name TEXT NOT NULL, flavor TEXT NOT NULL, vcpus INTEGER NOT NULL,
    memory_mb INTEGER NOT NULL, disk_gb INTEGER NOT NULL, root_gb INTEGER NOT NULL,
    state TEXT NOT NULL, task_state TEXT, project_id TEXT NOT NULL, host TEXT,
    metadata TEXT NOT NULL DEFAULT '{}', locked INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL, availability_zone TEXT,
    cpu_base REAL NOT NULL DEFAULT 0, cpu_amp REAL NOT NULL DEFAULT 0,
    phase REAL NOT NULL DEFAULT 0, ram_frac REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS instances_host ON instances (host);
CREATE TABLE IF NOT EXISTS operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL, kind TEXT NOT NULL,
    resource TEXT NOT NULL, source TEXT, dest TEXT, status TEXT NOT NULL,
    started REAL NOT NULL, done_at REAL NOT NULL, old_flavor TEXT, new_flavor TEXT,
    prev_state TEXT, fail_message TEXT, next_at REAL
);
CREATE INDEX IF NOT EXISTS operations_resource ON operations (resource);
CREATE INDEX IF NOT EXISTS operations_status ON operations (status);
CREATE INDEX IF NOT EXISTS operations_next ON operations (next_at);
CREATE TABLE IF NOT EXISTS faults (
    instance TEXT PRIMARY KEY, message TEXT NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT, operation TEXT NOT NULL, resource TEXT NOT NULL,
    phase TEXT NOT NULL, message TEXT NOT NULL, remaining INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pools (
    name TEXT PRIMARY KEY, total_capacity_gb REAL NOT NULL,
    max_over_subscription_ratio REAL NOT NULL DEFAULT 1.0, availability_zone TEXT,
    volume_types TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS volumes (
    uuid TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, status TEXT NOT NULL,
    pool TEXT, volume_type TEXT, project_id TEXT NOT NULL, bootable INTEGER NOT NULL DEFAULT 0,
    multiattach INTEGER NOT NULL DEFAULT 0, attachments TEXT NOT NULL DEFAULT '[]',
    snapshot_id TEXT, metadata TEXT NOT NULL DEFAULT '{}', created_at TEXT,
    migration_status TEXT
);
CREATE TABLE IF NOT EXISTS server_groups (
    uuid TEXT PRIMARY KEY, name TEXT NOT NULL, policy TEXT NOT NULL,
    project_id TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS server_group_members (
    instance TEXT PRIMARY KEY, group_uuid TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS baremetal (
    uuid TEXT PRIMARY KEY, power_state TEXT NOT NULL, maintenance INTEGER NOT NULL DEFAULT 0,
    maintenance_reason TEXT, hypervisor_hostname TEXT, extra TEXT NOT NULL DEFAULT '{}'
);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the store (creating its tables); autocommit, so transactions are explicit."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    _add_missing_columns(conn)
    conn.executescript(SCHEMA)
    return conn


# Columns added after the first release: a cloud file made before them gains them on open.
ADDED_COLUMNS = (("operations", "next_at", "REAL"),)


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    for table, column, kind in ADDED_COLUMNS:
        names = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if names and column not in names:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            if column == "next_at":  # operations in flight end when they were due to
                conn.execute(
                    "UPDATE operations SET next_at = done_at "
                    "WHERE status IN ('running', 'migrating')"
                )


class Committed(Exception):
    """Mixin for errors whose transaction must still commit (a used-up injected failure)."""


@contextmanager
def write(conn: sqlite3.Connection):
    """One write transaction, taken before reading so concurrent writers serialise."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except Committed:
        conn.execute("COMMIT")
        raise
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: object) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))


def clear(conn: sqlite3.Connection) -> None:
    """Empty every table of cluster content (the meta settings stay)."""
    for table in (
        "flavors", "aggregates", "hosts", "instances", "operations", "faults", "failures",
        "pools", "volumes", "baremetal", "server_groups", "server_group_members",
    ):  # fmt: skip
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
