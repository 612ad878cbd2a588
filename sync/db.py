"""Opening SQLite files the same way everywhere, and step-by-step schema migrations.

WAL with synchronous=FULL on stations and hubs: an acknowledged event must survive a
power cut (DESIGN.md "Durability"). Transactions are explicit (BEGIN IMMEDIATE), so a
writer never deadlocks upgrading a read lock.

Encryption at rest (issue #11, 个人信息保护法 Art 51(三)): every station and hub file is a
SQLCipher 4 database keyed with a random 256-bit key (`PRAGMA key = "x'…'"`, a raw key:
no passphrase KDF on every open, the key is already random). The binding is coleifer's
`sqlcipher3` (a fork of the standard library's sqlite3 module, so the DB-API, Row, the
transaction control and sqlite-utils work unchanged) built from its source distribution,
which carries the SQLCipher amalgamation and needs only OpenSSL's libcrypto — the same
source python-for-android builds with its openssl recipe (android/recipes/sqlcipher3).
Pages, the WAL and the rollback journal are encrypted; temporary tables stay in memory
(SQLITE_TEMP_STORE=2 in that build). Who holds the key: app/keyring.py on a station (each
cadre's PIN wraps it), sync/hub/dbkey.py on a hub (a key file or variable outside the
data directory).

This is the one module that imports the binding: its errors are re-exported here
(`IntegrityError`, `OperationalError`, `DatabaseError`, `Error`), because they are not
the standard library's classes.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlcipher3 import dbapi2 as _binding

from sync.errors import StoreError

if TYPE_CHECKING:
    import sqlite_utils


META_DDL = "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)"

Error = _binding.Error
DatabaseError = _binding.DatabaseError
IntegrityError = _binding.IntegrityError
OperationalError = _binding.OperationalError
KEY_BYTES = 32
PLAIN_HEADER = b"SQLite format 3\x00"


class WrongKey(StoreError):
    """The file is not a database this key opens: another key, a file encrypted by
    something else, or one whose first page is damaged (SQLCipher cannot tell these
    apart: the first page's HMAC fails either way)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__("wrong_key", f"{path} 打不开：密钥不对，或者文件已损坏。请核对密钥；"
                         "文件损坏时请用 sanji restore 从备份恢复。")
        self.path = str(path)


def key_literal(key: bytes) -> str:
    """SQLCipher's raw-key form: x'64 hex digits' (no key derivation on open)."""
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError("a database key is 32 random bytes")
    return f"\"x'{key.hex()}'\""


def is_plain(path: str | Path) -> bool:
    """Is this an unencrypted SQLite file (from before encryption, or a test's)?"""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except FileNotFoundError:
        return False


def connect(path: str | Path, key: bytes | None = None) -> sqlite3.Connection:
    """Open (or create) the database at `path`, encrypted with `key`. Without a key the
    file is plain SQLite: only for engine tests and tools; the station and the hub always
    pass one (app.station.open_station, sync.hub.server.open_hub)."""
    conn: sqlite3.Connection = _binding.connect(str(path), isolation_level=None,
                                                check_same_thread=False, timeout=30.0)
    # SQLCipher logs a failed HMAC to stderr; a wrong key is reported as WrongKey instead.
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        conn.execute(f"PRAGMA key = {key_literal(key)}")
        try:
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        except DatabaseError as exc:
            conn.close()
            raise WrongKey(path) from exc
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def rekey(conn: sqlite3.Connection, key: bytes) -> None:
    """Re-encrypt every page under a new key, then checkpoint: in WAL mode the new pages
    sit in the WAL until then, and the main file must not keep the old key's pages."""
    conn.execute(f"PRAGMA rekey = {key_literal(key)}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def export(conn: sqlite3.Connection, target: str | Path, key: bytes) -> None:
    """Write a consistent copy of the open database to a new file `target`, encrypted
    with `key` (SQLCipher's sqlcipher_export inside one read transaction: writers on
    other connections go on, the copy is the database as of the transaction's start)."""
    if Path(target).exists():
        raise FileExistsError(str(target))
    conn.execute(f"ATTACH DATABASE ? AS export_target KEY {key_literal(key)}", (str(target),))
    try:
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT sqlcipher_export('export_target')").fetchall()
            version = conn.execute("PRAGMA main.user_version").fetchone()[0]
            conn.execute(f"PRAGMA export_target.user_version = {int(version)}")
        finally:
            conn.execute("COMMIT")
    finally:
        conn.execute("DETACH DATABASE export_target")


def export_checked(source: Path, source_key: bytes | None, target: Path, key: bytes,
                   checkpoint: bool = False) -> list[str]:
    """Export the database at `source` to the new file `target` (encrypted with `key`),
    then open the copy and run SQLite's full check on it; returns the problems found
    (empty: a sound copy). The copy is left in rollback-journal mode: one file."""
    conn = connect(source, source_key)
    try:
        if checkpoint:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        export(conn, target, key)
    finally:
        conn.close()
    check = connect(target, key)
    try:
        problems = integrity_problems(check)
        check.execute("PRAGMA journal_mode=DELETE")
    finally:
        check.close()
    return problems


def encrypt_plain_file(path: Path, key: bytes) -> None:
    """Turn an unencrypted SQLite file (an older release's) into an encrypted one in place:
    export to a new file, make it durable, then replace the old one and its WAL."""
    tmp = path.with_name(path.name + ".encrypting")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    problems = export_checked(path, None, tmp, key, checkpoint=True)
    if problems:
        tmp.unlink(missing_ok=True)
        raise DatabaseError(f"encrypted copy of {path} failed its check: {problems[:3]}")
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    for side in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        side.unlink(missing_ok=True)


def integrity_problems(conn: sqlite3.Connection, quick: bool = False) -> list[str]:
    """What SQLite's own check finds wrong with the file (empty: nothing). The quick
    check skips index-vs-table comparison; it reads every page, so it finds a damaged
    page (SQLCipher: a page whose HMAC fails) as well."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}")]
    except DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


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


class Meta:
    """A small key/value table for clocks, cursors and identities."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn     # the table is made by the file's first migration (META_DDL)

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set(self, key: str, value: object) -> None:
        self.conn.execute("INSERT INTO meta(key, value) VALUES(?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                          (key, None if value is None else str(value)))
