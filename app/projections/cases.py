"""The service-desk ledger (台账): one row per case, folded by app.domain.fold, plus a
full-text index over names, matters, descriptions and receipt numbers."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.domain import fold, mask_id_number
from app.search_text import index_text
from sync.certs import Directory
from sync.db import run_script

DDL = """
CREATE TABLE nodes_dir(id TEXT PRIMARY KEY, name TEXT, level TEXT, short_code TEXT,
  hub TEXT);
CREATE TABLE cases(record TEXT PRIMARY KEY, receipt_no TEXT, applicant TEXT,
  id_masked TEXT, phone TEXT, phone_last4 TEXT, origin TEXT, village TEXT,
  matter_code TEXT, matter_name TEXT, summary TEXT, status TEXT, status_name TEXT,
  level TEXT, owner_node TEXT, first_officer TEXT, holder TEXT, mode TEXT,
  accepted_on TEXT, due TEXT, due_provisional INTEGER, step_due TEXT, step_leader TEXT,
  closed_on TEXT, rating TEXT, dissatisfied INTEGER, round INTEGER, rejected INTEGER,
  reviews INTEGER, hlc INTEGER, active INTEGER);
CREATE INDEX cases_status ON cases(active, due);
CREATE INDEX cases_accepted ON cases(accepted_on);
CREATE INDEX cases_receipt ON cases(receipt_no);
CREATE INDEX cases_origin ON cases(origin, active);
CREATE VIRTUAL TABLE cases_fts USING fts5(record UNINDEXED, body)
"""
ACTIVE_STATUSES = ("accepted", "in_progress", "escalated", "forwarded", "replied", "returned")


def create_tables(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)


class CaseFolds:
    """Holds the origin → level map the case fold needs: levels from certificates
    (issue #7), kept in nodes_dir with each node's announced name."""

    def __init__(self, own: dict[str, str] | None = None,
                 directory: Directory | None = None) -> None:
        self.own = own or {}
        self.directory = directory
        self._levels: dict[str, str] | None = None

    def levels(self, conn: sqlite3.Connection) -> dict[str, str]:
        if self._levels is None:
            self._levels = {**dict(conn.execute("SELECT id, level FROM nodes_dir"
                                                " WHERE level IS NOT NULL")), **self.own}
        return self._levels

    def fold_node(self, conn: sqlite3.Connection, record: str,
                  events: list[dict[str, Any]]) -> bool:
        """The node directory row: name, level, receipt code and hub from its certificate
        — never from an announcement (issue #7 items 1, 2; an announcement under another
        village's name, refused since, cannot move that village's figures); the announced
        name only for a node without a verified certificate. Returns whether its level
        changed."""
        state: dict[str, Any] = {}
        for event in events:
            if event["origin"] == record and event["type"] == "node.announced":
                state.update(event["payload"])
        before = conn.execute("SELECT level FROM nodes_dir WHERE id=?", (record,)).fetchone()
        directory = self.directory
        if directory is not None and directory.root is not None:
            cert = directory.verified(record)
            if cert is None and not state:
                conn.execute("DELETE FROM nodes_dir WHERE id=?", (record,))
            else:
                conn.execute("INSERT OR REPLACE INTO nodes_dir VALUES(?,?,?,?,?)", (
                    record, (cert.name if cert and cert.name else None) or state.get("name"),
                    *((cert.kind, cert.short_code, cert.parent) if cert else (None,) * 3)))
        else:   # no root pinned yet (enrolled before certificates): as announced
            conn.execute("INSERT OR REPLACE INTO nodes_dir VALUES(?,?,?,?,?)",
                         (record, state.get("name"), state.get("level"),
                          state.get("short_code"), state.get("hub")))
        self._levels = None
        after = conn.execute("SELECT level FROM nodes_dir WHERE id=?", (record,)).fetchone()
        return before != after

    def fold_case(self, conn: sqlite3.Connection, record: str,
                  events: list[dict[str, Any]]) -> None:
        state = fold(events, self.levels(conn))
        if state.status == "new":
            return  # nothing accepted yet (e.g. an update that arrived first)
        # The fold keeps applicant fields flat ("applicant.name", …): corrections edit them
        # one by one (PLAIN_FIELDS).
        applicant = {key.split(".", 1)[1]: value for key, value in state.fields.items()
                     if key.startswith("applicant.")}
        origin = state.path[0][1] if state.path else events[0]["origin"]
        village = conn.execute("SELECT name FROM nodes_dir WHERE id=?", (origin,)).fetchone()
        holder = state.assignee or state.step_leader or {}
        rating = state.rating or {}
        phone = str(applicant.get("phone") or "")
        summary = str(state.fields.get("summary") or "")
        # The full-text row shares the case row's rowid, so it is found by key: cases_fts
        # cannot index its `record` column, and a DELETE by record scanned all of it.
        old = conn.execute("SELECT rowid FROM cases WHERE record=?", (record,)).fetchone()
        if old is not None:
            conn.execute("DELETE FROM cases_fts WHERE rowid=?", old)
        rowid = conn.execute(
            "INSERT OR REPLACE INTO cases VALUES(" + ",".join("?" * 31) + ")",
            (record, state.receipt_no, applicant.get("name"),
             mask_id_number(applicant["id_number"]) if applicant.get("id_number") else None,
             phone, phone[-4:], origin, village[0] if village else None, state.matter_code,
             state.matter_name, summary, state.status, state.status_name, state.level,
             state.owner_node, (state.first_officer or {}).get("name"), holder.get("name"),
             state.mode, _iso(state.accepted_on), _iso(state.due), int(state.due_provisional),
             _iso(state.step_due), (state.step_leader or {}).get("name"), _iso(state.closed_on),
             rating.get("level"), int(bool(rating.get("dissatisfied"))), state.round,
             len(state.rejected), len(state.review_items), events[-1]["hlc"],
             int(state.status in ACTIVE_STATUSES))).lastrowid
        body = index_text(
            applicant.get("name"), state.matter_name, summary, state.receipt_no,
            village[0] if village else None, applicant.get("group"),
            json.dumps(state.reply, ensure_ascii=False) if state.reply else None)
        conn.execute("INSERT INTO cases_fts(rowid, record, body) VALUES(?,?,?)",
                     (rowid, record, body))


def fts_rowid_is_case_rowid(conn: sqlite3.Connection) -> None:
    """Migration: give each cases_fts row its case row's rowid (see fold_case)."""
    run_script(conn, """
CREATE VIRTUAL TABLE cases_fts_keyed USING fts5(record UNINDEXED, body);
INSERT INTO cases_fts_keyed(rowid, record, body)
  SELECT c.rowid, f.record, f.body FROM cases_fts f JOIN cases c ON c.record = f.record;
DROP TABLE cases_fts;
ALTER TABLE cases_fts_keyed RENAME TO cases_fts
""")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
