"""The tier's own databases and user on the machine's MariaDB, and cached fresh schemas.

Every name this run creates starts with its run-unique prefix (``wcrc_<hex>``): the user, and
each database (``wcrc_<hex>_keystone``). The user may touch only databases with that prefix;
``close()`` drops them and the user. Nothing else on the server is read or changed.

Schema creation dominates an OpenStack service's start-up (Keystone's ``db_sync`` plus
``bootstrap`` take ~7 s here, Nova's schemas far more), so a freshly built database is dumped
once into the cache directory and later runs restore it (a fraction of a second).
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


class MariaDB:
    """Databases of one test run, created as root, used by the run's own user."""

    def __init__(self, prefix: str, host: str = "127.0.0.1", port: int = 3306) -> None:
        self.prefix = prefix
        self.host = host
        self.port = port
        self.user = prefix
        self.password = secrets.token_hex(12)
        self._databases: list[str] = []
        self._admin(
            f"CREATE USER '{self.user}'@'{host}' IDENTIFIED BY '{self.password}';"
            f"GRANT ALL PRIVILEGES ON `{prefix.replace('_', chr(92) + '_')}\\_%`.* "
            f"TO '{self.user}'@'{host}';"
        )

    def _client_args(self) -> list[str]:
        return ["-h", self.host, "-P", str(self.port), "-u", "root"]

    def _admin(self, sql: str, stdin: Path | None = None, database: str | None = None) -> None:
        argv = ["mysql", *self._client_args(), "--batch"]
        if database:
            argv.append(database)
        if stdin is None:
            argv += ["-e", sql]
        with open(stdin or os.devnull, "rb") as source:
            result = subprocess.run(argv, stdin=source, capture_output=True, check=False)
        if result.returncode:
            raise RuntimeError(f"mysql failed: {result.stderr.decode(errors='replace')}")

    def name(self, short: str) -> str:
        return f"{self.prefix}_{short}"

    def create(self, short: str) -> str:
        """Create an empty database ``<prefix>_<short>``; return its full name."""
        name = self.name(short)
        self._admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        self._databases.append(name)
        return name

    def url(self, short: str) -> str:
        """The SQLAlchemy URL an OpenStack service uses for database ``short``."""
        return (
            f"mysql+pymysql://{self.user}:{self.password}@{self.host}:{self.port}/"
            f"{self.name(short)}?charset=utf8mb4"
        )

    def dump(self, short: str, path: Path, header: str = "") -> None:
        """Write database ``short`` (schema and rows) to ``path``, atomically.

        ``header`` goes first as an SQL comment line: facts that must travel with the rows.
        """
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
            out.write(f"-- {header}\n".encode())
            out.flush()
            subprocess.run(
                ["mysqldump", *self._client_args(), "--skip-lock-tables", "--no-tablespaces",
                 "--skip-comments", self.name(short)],
                stdout=out, check=True,
            )  # fmt: skip
        partial.rename(path)

    def restore(self, short: str, path: Path) -> None:
        self._admin("", stdin=path, database=self.name(short))

    def execute(self, short: str, sql: str) -> None:
        """Run ``sql`` in this run's database ``short``."""
        self._admin(sql, database=self.name(short))

    def create_from_cache(
        self, shorts: list[str], cache_prefix: Path, build: Callable[[], str]
    ) -> str:
        """Create databases ``shorts`` from cached dumps, or ``build()`` them and cache them.

        Dumps are ``<cache_prefix>-<short>.sql``. ``build`` returns a header string stored
        with the first dump; the header is returned either way. Runs building the same cache
        at once each write whole files, the last one wins; a partial set is rebuilt.
        """
        for short in shorts:
            self.create(short)
        dumps = [cache_prefix.with_name(f"{cache_prefix.name}-{short}.sql") for short in shorts]
        if all(dump.exists() for dump in dumps):
            with ThreadPoolExecutor(len(shorts)) as pool:
                list(pool.map(self.restore, shorts, dumps))
            with open(dumps[0], encoding="utf-8") as first:
                return first.readline()[3:].rstrip("\n")
        header = build()
        for short, dump in zip(shorts, dumps, strict=True):
            self.dump(short, dump, header if dump is dumps[0] else "")
        return header

    def close(self) -> None:
        """Drop this run's databases and its user."""
        for name in reversed(self._databases):
            self._admin(f"DROP DATABASE IF EXISTS `{name}`")
        self._databases.clear()
        self._admin(f"DROP USER IF EXISTS '{self.user}'@'{self.host}'")
