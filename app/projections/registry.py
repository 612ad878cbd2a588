"""Dispatch of touched records to the fold of their kind, with the events the
declaration of who may write what lets a fold read (app.authority.admissible)."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from app.authority import admissible
from app.projections import (basic, cases, decisions, disputes, links, opinions, petitions,
                             risk)
from app.projections.rules_cache import ConfigCache
from sync import log
from sync.certs import Directory
from sync.migrations import Step, migrate

Fold = Callable[[sqlite3.Connection, str, list[dict[str, Any]]], None]


def create_local_users(conn: sqlite3.Connection) -> None:
    """The station's cadres (app.accounts). salt and pin_hash held an older release's
    scrypt hash of a 4-digit PIN; a cadre added now has none (the keyring is the only
    PIN check). Made by app.accounts itself, outside any migration, before."""
    conn.execute("CREATE TABLE IF NOT EXISTS local_users(id TEXT PRIMARY KEY, name TEXT NOT NULL,"
                 " post TEXT NOT NULL, salt BLOB NOT NULL, pin_hash BLOB NOT NULL,"
                 " active INTEGER NOT NULL DEFAULT 1, failures INTEGER NOT NULL DEFAULT 0,"
                 " locked_until INTEGER NOT NULL DEFAULT 0, roles TEXT NOT NULL DEFAULT '')")
    # main's releases made the table on demand too, and added the cadres' roles on this
    # tablet (app.accounts.set_role) to a table made before roles existed.
    if "roles" not in {row[1] for row in conn.execute("PRAGMA table_info(local_users)")}:
        conn.execute("ALTER TABLE local_users ADD COLUMN roles TEXT NOT NULL DEFAULT ''")


# Each step creates the tables of one concept; new steps are appended, never edited, and
# each has a name of its own for ever (sync.migrations).
MIGRATIONS: list[Step] = [Step("visits, cadres, duty, config", basic.create_tables),
                          Step("service cases", cases.create_tables),
                          Step("case search rowids", cases.fts_rowid_is_case_rowid),
                          Step("events by kind", basic.index_events_by_kind),
                          Step("prior records", links.create_tables),
                          Step("disputes", disputes.create_tables),
                          Step("petitions", petitions.create_tables),
                          Step("risk assessments", risk.create_tables),
                          Step("opinions", opinions.create_tables),
                          Step("petition receipts and holders", petitions.add_receipt_and_holder),
                          Step("sealed report receipts", petitions.add_sealed_receipt),
                          Step("visit links", basic.visit_links),
                          Step("local users", create_local_users),
                          Step("village decisions", decisions.create_tables)]


def install(conn: sqlite3.Connection) -> None:
    migrate(conn, MIGRATIONS, "app")


class Projections:
    def __init__(self, own_levels: dict[str, str] | None = None,
                 directory: Directory | None = None) -> None:
        """`own_levels`: this node's id → level, known before its certificate is stored;
        `directory`: the certificates levels are read from (issue #7)."""
        self.directory = directory
        self.cases = cases.CaseFolds(own_levels, directory)
        self.folds: dict[str, Fold] = {**basic.FOLDS, "svc_case": self.cases.fold_case,
                                       "node": self.fold_node}
        config = ConfigCache(directory)
        self.disputes = disputes.DisputeFolds(self.cases.levels, config)
        self.petitions = petitions.PetitionFolds(self.cases.levels, config)
        self.risk = risk.RiskFolds(self.cases.levels, config)
        self.opinions = opinions.OpinionFolds(self.cases.levels)
        self.decisions = decisions.DecisionFolds(self.cases.levels, config, self.events)
        self.folds.update({"dispute": self.disputes.fold_dispute,
                           "dispute_screening": disputes.fold_screening,
                           "petition": self.petitions.fold_petition,
                           "complaint": petitions.fold_sealed,
                           "risk_assessment": self.fold_assessment,
                           "village_matter": self.decisions.fold_matter,
                           "village_roster": self.fold_register,
                           "opinion": self.opinions.fold_opinion})

    def fold_assessment(self, conn: sqlite3.Connection, record: str,
                        events: list[dict[str, Any]]) -> None:
        """A risk assessment, then the village matters it gates (issue #12 §2)."""
        self.risk.fold_assessment(conn, record, events)
        self.decisions.assessment_changed(conn, record, lambda r: self.refold(conn, r))

    def fold_register(self, conn: sqlite3.Connection, record: str,
                      events: list[dict[str, Any]]) -> None:
        self.decisions.fold_register(conn, record, events, lambda r: self.refold(conn, r))

    def refold(self, conn: sqlite3.Connection, record: str) -> None:
        self.fold_records(conn, {record: "village_matter"})

    def fold_node(self, conn: sqlite3.Connection, record: str,
                  events: list[dict[str, Any]]) -> None:
        """A node's announcement: its display name. (Before this station has pinned a
        root, after an upgrade, its level too; then what it did is folded again.)"""
        if self.cases.fold_node(conn, record, events):
            self.refold_origins(conn, [record])

    def certified(self, conn: sqlite3.Connection, nodes: Sequence[str]) -> None:
        """Nodes' certificates came in: their directory rows and levels changed, and
        their events may now be read (or no longer), so fold what they touched again."""
        for node in nodes:
            self.cases.fold_node(conn, node, self.events(conn, node))
        self.refold_origins(conn, nodes)

    def refold_origins(self, conn: sqlite3.Connection, nodes: Sequence[str]) -> None:
        touched: dict[str, str] = {}
        for i in range(0, len(nodes), 500):
            chunk = list(nodes[i:i + 500])
            touched.update(conn.execute(
                "SELECT DISTINCT record, kind FROM events WHERE origin IN"
                f" ({','.join('?' * len(chunk))}) AND kind<>'node'", chunk).fetchall())
        self.fold_records(conn, touched)

    def register(self, kind: str, fold: Fold) -> None:
        self.folds[kind] = fold

    def events(self, conn: sqlite3.Connection, record: str) -> list[dict[str, Any]]:
        """A record's events as the folds may read them (app.authority.admissible)."""
        events = log.of_record(conn, record)
        return admissible(events, self.directory) if self.directory is not None else events

    def fold_records(self, conn: sqlite3.Connection, records: dict[str, str]) -> None:
        for record, kind in records.items():
            fold = self.folds.get(kind)
            if fold is not None:
                events = self.events(conn, record)
                if events:
                    fold(conn, record, events)

    def __call__(self, conn: sqlite3.Connection, events: Sequence[dict[str, Any]]) -> None:
        touched: dict[str, str] = {}
        for event in events:
            touched.setdefault(event["record"], event["kind"])
        self.fold_records(conn, touched)

    def rebuild(self, conn: sqlite3.Connection) -> int:
        """Re-fold every record (after a projection change); returns how many."""
        records = dict(conn.execute("SELECT DISTINCT record, kind FROM events").fetchall())
        self.fold_records(conn, records)
        return len(records)
