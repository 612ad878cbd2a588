"""A query-table row and its full-text row, kept under one rowid.

An FTS5 table cannot index its UNINDEXED ``record`` column, so deleting the old text
by record scans the whole index on every fold (app.projections.cases measured 11.7 ms a
fold at 10,000 cases).  The text row takes the query row's rowid instead, is deleted by
it, and searches join on it: ``t.rowid IN (SELECT rowid FROM t_fts WHERE t_fts MATCH ?)``.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any


def replace(conn: sqlite3.Connection, table: str, values: Sequence[Any], body: str) -> None:
    """INSERT OR REPLACE ``values`` (record first) into ``table`` and its text into
    ``{table}_fts`` under the new row's rowid."""
    old = conn.execute(f"SELECT rowid FROM {table} WHERE record=?", (values[0],)).fetchone()
    if old is not None:
        conn.execute(f"DELETE FROM {table}_fts WHERE rowid=?", old)
    rowid = conn.execute(f"INSERT OR REPLACE INTO {table} VALUES(" +
                         ",".join("?" * len(values)) + ")", tuple(values)).lastrowid
    conn.execute(f"INSERT INTO {table}_fts(rowid, record, body) VALUES(?,?,?)",
                 (rowid, values[0], body))
