"""sync.db.transaction: all or nothing, nested units are savepoints, and a COMMIT that
fails leaves no transaction open behind it."""
from __future__ import annotations

from pathlib import Path

import pytest

from sync.db import IntegrityError, connect, transaction
from tests.support.keys import HUB_KEY as KEY


def rows(path: Path) -> list[int]:
    other = connect(path, KEY)
    try:
        return [r[0] for r in other.execute("SELECT x FROM t ORDER BY x")]
    finally:
        other.close()


def test_a_nested_unit_that_fails_is_undone_and_the_outer_one_commits(tmp_path: Path
                                                                      ) -> None:
    conn = connect(tmp_path / "db.sqlite", KEY)
    conn.execute("CREATE TABLE t(x INTEGER)")
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES(1)")
        with pytest.raises(ValueError), transaction(conn):
            conn.execute("INSERT INTO t VALUES(2)")
            raise ValueError("refused")
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES(3)")
        assert rows(tmp_path / "db.sqlite") == []          # nothing before the COMMIT
    assert rows(tmp_path / "db.sqlite") == [1, 3]
    conn.close()


def test_a_failed_commit_is_rolled_back_and_the_next_transaction_commits(tmp_path: Path
                                                                         ) -> None:
    conn = connect(tmp_path / "db.sqlite", KEY)
    conn.execute("CREATE TABLE t(x INTEGER)")
    conn.execute("CREATE TABLE parent(id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE child(p INTEGER REFERENCES parent(id) "
                 "DEFERRABLE INITIALLY DEFERRED)")
    with pytest.raises(IntegrityError), transaction(conn):
        conn.execute("INSERT INTO t VALUES(1)")
        conn.execute("INSERT INTO child VALUES(7)")        # fails only at COMMIT
    assert not conn.in_transaction
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES(2)")
    assert rows(tmp_path / "db.sqlite") == [2]
    conn.close()
