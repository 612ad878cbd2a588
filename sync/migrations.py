"""Named schema migrations of a SQLite file (station, hub, and the app's tables in them).

A schema (`station`, `hub`, `app`, `hubext`) is a list of steps, applied in order, each
in its own transaction; new steps are appended, never edited or reordered. Its version
(`schema_version`, what every release before this one read) is the number of steps
applied. Each step also has a name, recorded per version (`schema_steps`) when it is
applied, so a file whose history differs from this program's — upgraded by another
build whose step N was something else — is refused with a message rather than silently
missing a table. A file from before names were recorded gets the names of this
program's steps for the versions it holds (nothing else can be known).

The tables a schema needs are all made by its steps; the only tables made outside them
are this module's own two.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sync.db import transaction

Apply = Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class Step:
    name: str           # stable for ever: recorded in every file this step upgraded
    apply: Apply


class SchemaMismatch(RuntimeError):
    """The file's schema is newer than this program, or was upgraded by another build."""


def named(steps: Sequence[Step | Apply]) -> list[Step]:
    """Steps with names; a bare function (a step appended without one) is named by its
    place, which never changes (tests/sync/test_migrations.py asks for real names)."""
    return [s if isinstance(s, Step) else Step(f"v{n}", s) for n, s in enumerate(steps, 1)]


def history(conn: sqlite3.Connection, schema: str) -> list[str]:
    """The names of the steps this file has had, in order."""
    return [name for (name,) in conn.execute(
        "SELECT name FROM schema_steps WHERE schema=? ORDER BY version", (schema,))]


def migrate(conn: sqlite3.Connection, steps: Sequence[Step | Apply], schema: str) -> int:
    """Apply the steps this file has not had yet; returns the version it is at."""
    program = named(steps)
    with transaction(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version("
                     "name TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        conn.execute("CREATE TABLE IF NOT EXISTS schema_steps(schema TEXT NOT NULL,"
                     " version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT,"
                     " PRIMARY KEY(schema, version))")
        row = conn.execute("SELECT version FROM schema_version WHERE name=?",
                           (schema,)).fetchone()
        current = row[0] if row else 0
        if current > len(program):
            raise SchemaMismatch(f"database schema {schema} v{current} is newer than this "
                                 f"program (v{len(program)}): 请升级程序后再打开这个数据文件。")
        # Rows past the version were left by a step that a restore (or a test) undid.
        conn.execute("DELETE FROM schema_steps WHERE schema=? AND version>?", (schema, current))
        recorded = dict(conn.execute("SELECT version, name FROM schema_steps WHERE schema=?",
                                     (schema,)).fetchall())
        for version, name in sorted(recorded.items()):
            if program[version - 1].name != name:
                raise SchemaMismatch(
                    f"database schema {schema} step {version} is {name!r} in this file but "
                    f"{program[version - 1].name!r} in this program: 这个数据文件被另一个版本的"
                    "程序升级过，请用同一版本的程序打开，或联系县里的技术人员。")
        conn.executemany("INSERT INTO schema_steps(schema, version, name) VALUES(?,?,?)",
                         [(schema, v, program[v - 1].name) for v in range(1, current + 1)
                          if v not in recorded])
    for version in range(current + 1, len(program) + 1):
        step = program[version - 1]
        with transaction(conn):
            step.apply(conn)
            conn.execute("INSERT INTO schema_version(name, version) VALUES(?, ?) "
                         "ON CONFLICT(name) DO UPDATE SET version=excluded.version",
                         (schema, version))
            conn.execute("INSERT INTO schema_steps(schema, version, name, applied_at)"
                         " VALUES(?,?,?,datetime('now'))", (schema, version, step.name))
    return len(program)
