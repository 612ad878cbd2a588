"""Pushes that reach the hub together are committed together (one fsync), each in its
own savepoint: a refused one leaves the others stored, and nobody is answered before
the COMMIT (sync/hub/groupcommit.py)."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from sync.db import IntegrityError, OperationalError, connect
from sync.errors import Problem
from sync.hub.groupcommit import GroupCommit
from tests.support.keys import HUB_KEY as KEY


def open_db(path: Path) -> tuple[sqlite3.Connection, list[str]]:
    conn = connect(path, KEY)
    conn.execute("CREATE TABLE t(x TEXT)")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    return conn, statements


def stored(path: Path) -> list[str]:
    other = connect(path, KEY)             # a second connection sees only what committed
    try:
        return sorted(r[0] for r in other.execute("SELECT x FROM t"))
    finally:
        other.close()


def test_concurrent_pushes_share_one_commit_and_a_refused_one_is_undone(tmp_path: Path
                                                                           ) -> None:
    path = tmp_path / "hub.sqlite"
    conn, statements = open_db(path)
    group = GroupCommit(conn)
    seen_before_commit: list[list[str]] = []

    def write(value: str, fail: bool = False):
        def work() -> str:
            conn.execute("INSERT INTO t VALUES(?)", (value,))
            seen_before_commit.append(stored(path))
            if fail:
                raise Problem(422, "schema_invalid", "bad")
            return value
        return work

    async def main() -> list[object]:
        return await asyncio.gather(group.run(write("a")), group.run(write("b", fail=True)),
                                    group.run(write("c")), return_exceptions=True)

    results = asyncio.run(main())
    assert results[0] == "a" and results[2] == "c"
    assert isinstance(results[1], Problem) and results[1].code == "schema_invalid"
    assert stored(path) == ["a", "c"]
    assert all(seen == [] for seen in seen_before_commit)     # nothing visible before COMMIT
    assert sum(s.strip().upper() == "COMMIT" for s in statements) == 1
    conn.close()


def test_pushes_arriving_one_by_one_each_commit_at_once(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite"
    conn, statements = open_db(path)
    group = GroupCommit(conn)

    async def main() -> None:
        for value in ("a", "b"):
            assert await group.run(lambda v=value: conn.execute(
                "INSERT INTO t VALUES(?)", (v,)) and v) == value
            assert stored(path)[-1] == value

    asyncio.run(main())
    assert sum(s.strip().upper() == "COMMIT" for s in statements) == 2
    conn.close()


def test_a_failed_commit_fails_every_push_of_the_group(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite"
    conn, _ = open_db(path)
    conn.execute("CREATE TABLE parent(id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE child(p INTEGER REFERENCES parent(id) DEFERRABLE "
                 "INITIALLY DEFERRED)")
    group = GroupCommit(conn)

    async def main() -> list[object]:
        return await asyncio.gather(
            group.run(lambda: conn.execute("INSERT INTO t VALUES('a')") and "a"),
            group.run(lambda: conn.execute("INSERT INTO child VALUES(7)") and "dangling"),
            return_exceptions=True)

    results = asyncio.run(main())          # the deferred foreign key fails at COMMIT
    assert all(isinstance(r, IntegrityError) for r in results), results
    assert stored(path) == []
    with pytest.raises(OperationalError):
        conn.execute("COMMIT")             # and no transaction was left open
    conn.close()
