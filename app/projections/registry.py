"""Dispatch of touched records to the fold of their kind."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from app.projections import basic, cases
from sync import log
from sync.db import migrate

Fold = Callable[[sqlite3.Connection, str, list[dict[str, Any]]], None]

# Each step creates the tables of one concept; new steps are appended, never edited.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [basic.create_tables,
                                                          cases.create_tables,
                                                          cases.fts_rowid_is_case_rowid,
                                                          basic.index_events_by_kind]


def install(conn: sqlite3.Connection) -> None:
    migrate(conn, MIGRATIONS, "app")


class Projections:
    def __init__(self, own_levels: dict[str, str] | None = None) -> None:
        """`own_levels`: this node's id → level, known before its announcement syncs."""
        self.cases = cases.CaseFolds(own_levels)
        self.folds: dict[str, Fold] = {**basic.FOLDS, "svc_case": self.cases.fold_case,
                                       "node": self.cases.fold_node}

    def register(self, kind: str, fold: Fold) -> None:
        self.folds[kind] = fold

    def __call__(self, conn: sqlite3.Connection, events: Sequence[dict[str, Any]]) -> None:
        touched: dict[str, str] = {}
        for event in events:
            touched.setdefault(event["record"], event["kind"])
        for record, kind in touched.items():
            fold = self.folds.get(kind)
            if fold is not None:
                fold(conn, record, log.of_record(conn, record))

    def rebuild(self, conn: sqlite3.Connection) -> int:
        """Re-fold every record (after a projection change); returns how many."""
        records = conn.execute("SELECT DISTINCT record, kind FROM events").fetchall()
        for record, kind in records:
            fold = self.folds.get(kind)
            if fold is not None:
                fold(conn, record, log.of_record(conn, record))
        return len(records)
