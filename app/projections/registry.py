"""Dispatch of touched records to the fold of their kind."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from app.projections import basic, cases, disputes, links, opinions, petitions, risk
from app.projections.rules_cache import ConfigCache
from sync import log
from sync.db import migrate

Fold = Callable[[sqlite3.Connection, str, list[dict[str, Any]]], None]

# Each step creates the tables of one concept; new steps are appended, never edited.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [basic.create_tables,
                                                          cases.create_tables,
                                                          cases.fts_rowid_is_case_rowid,
                                                          basic.index_events_by_kind,
                                                          links.create_tables,
                                                          disputes.create_tables,
                                                          petitions.create_tables,
                                                          risk.create_tables,
                                                          opinions.create_tables,
                                                          petitions.add_receipt_and_holder]

# Kinds whose folds check the acting node's level: redone when a node's level becomes known.
LEVEL_DEPENDENT = ("svc_case", "dispute", "petition", "risk_assessment", "opinion")


def install(conn: sqlite3.Connection) -> None:
    migrate(conn, MIGRATIONS, "app")


class Projections:
    def __init__(self, own_levels: dict[str, str] | None = None) -> None:
        """`own_levels`: this node's id → level, known before its announcement syncs."""
        self.cases = cases.CaseFolds(own_levels)
        self.folds: dict[str, Fold] = {**basic.FOLDS, "svc_case": self.cases.fold_case,
                                       "node": self.fold_node}
        config = ConfigCache()
        self.disputes = disputes.DisputeFolds(self.cases.levels, config)
        self.petitions = petitions.PetitionFolds(self.cases.levels, config)
        self.risk = risk.RiskFolds(self.cases.levels, config)
        self.opinions = opinions.OpinionFolds(self.cases.levels)
        self.folds.update({"dispute": self.disputes.fold_dispute,
                           "dispute_screening": disputes.fold_screening,
                           "petition": self.petitions.fold_petition,
                           "complaint": petitions.fold_sealed,
                           "risk_assessment": self.risk.fold_assessment,
                           "opinion": self.opinions.fold_opinion})

    def fold_node(self, conn: sqlite3.Connection, record: str,
                  events: list[dict[str, Any]]) -> None:
        """A node's level came in: its steps on cases, disputes, petitions and assessments
        were folded without it (refused as from an unknown level), so fold them again."""
        before = conn.execute("SELECT level FROM nodes_dir WHERE id=?", (record,)).fetchone()
        self.cases.fold_node(conn, record, events)
        after = conn.execute("SELECT level FROM nodes_dir WHERE id=?", (record,)).fetchone()
        if before == after:
            return
        for kind in LEVEL_DEPENDENT:
            for (touched,) in conn.execute("SELECT DISTINCT record FROM events WHERE origin=?"
                                           " AND kind=?", (record, kind)).fetchall():
                self.folds[kind](conn, touched, log.of_record(conn, touched))

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
