"""Opening SQLite files the same way everywhere, and step-by-step schema migrations.

WAL with synchronous=FULL on stations and hubs: an acknowledged event must survive a
power cut (DESIGN.md "Durability"). Transactions are explicit (BEGIN IMMEDIATE), so a
writer never deadlocks upgrading a read lock.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils


Migration = Callable[[sqlite3.Connection], None]


def connect(path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                           timeout=30.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def database(conn: sqlite3.Connection) -> "sqlite_utils.Database":
    """sqlite-utils view of a connection, for read-side queries that want dict rows and
    table introspection. Imported on first use: it pulls in numpy (~0.3 s), which the
    app must not pay before its first frame. The event store's write path stays on
    sqlite3 itself (executemany inside one explicit transaction)."""
    import sqlite_utils
    return sqlite_utils.Database(conn)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One all-or-nothing unit. Inside an open transaction it is a savepoint: its own
    work is undone if it fails, and it commits (one fsync) with the outer one."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            raise
        else:
            conn.execute("RELEASE nested")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:   # SQLite may have rolled back already (e.g. disk full)
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        # A COMMIT that fails (a deferred constraint, a full disk) can leave the
        # transaction open; later transactions would then nest in it and never commit.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run DDL statements inside the caller's transaction (executescript would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def migrate(conn: sqlite3.Connection, steps: Sequence[Migration], name: str = "main") -> int:
    """Apply the migrations this file has not seen yet, one transaction per step."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version("
                 "name TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    row = conn.execute("SELECT version FROM schema_version WHERE name=?", (name,)).fetchone()
    current = row[0] if row else 0
    if current > len(steps):
        raise RuntimeError(f"database schema {name} v{current} is newer than this program "
                           f"(v{len(steps)}): 请升级程序后再打开这个数据文件。")
    for number in range(current, len(steps)):
        with transaction(conn):
            steps[number](conn)
            conn.execute("INSERT INTO schema_version(name, version) VALUES(?, ?) "
                         "ON CONFLICT(name) DO UPDATE SET version=excluded.version",
                         (name, number + 1))
    return len(steps)


class Meta:
    """A small key/value table for clocks, cursors and identities."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set(self, key: str, value: object) -> None:
        self.conn.execute("INSERT INTO meta(key, value) VALUES(?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                          (key, None if value is None else str(value)))
