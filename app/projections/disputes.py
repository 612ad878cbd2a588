"""Disputes (矛盾纠纷) and screenings (排查): the 排查台账 table, folded by
``app.domain.dispute.flow.fold``, with a bigram full-text index (textrows).

One ``disputes`` row per dispute holds the 排查台账 columns of RULES.md §2 that do not
depend on today's date (编号, 纠纷类型, 当事人, 简要情况, 激化风险, 责任单位/责任人, 包案领导,
化解方式, 进展情况; taken from ``dispute.ledger.ledger_row``) and the facts the boards
filter and sort by: status, holding level and node, village and origin, 首问负责人,
whether a high-risk alert was taken, the mediation start and deadline, the agreement's
effective date and the next performance deadline (回访), the 司法确认 status.  Labels that
count days (还剩N天, 已超期) change every day, so the services compute them from a fresh
fold with the rules in force (app.services.disputes); nothing here reads a clock.

A screening (kind ``dispute_screening``) is one ``dispute.screened`` event: one row.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

from app.domain.dispute import flow as dispute_case
from app.domain.dispute.agreement import performance_dues
from app.domain.dispute.clocks import mediation_due
from app.domain.dispute.ledger import check_screening, ledger_row
from app.domain.dispute.links import prior_of_dispute
from app.domain.dispute.rules import DisputeRules
from app.domain.dispute.state import ACTIVE, DisputeState
from app.domain.shared.workdays import WorkCalendar
from app.projections import links, textrows
from app.projections.rules_cache import ConfigCache
from app.search_text import index_text
from sync.db import run_script

DDL = """
CREATE TABLE disputes(record TEXT PRIMARY KEY, ledger_no TEXT, dispute_type TEXT,
  parties TEXT, summary TEXT, risk TEXT, responsible TEXT, leader TEXT, method TEXT,
  progress TEXT, status TEXT, status_name TEXT, level TEXT, owner_node TEXT, origin TEXT,
  village TEXT, first_officer TEXT, source TEXT, first_time INTEGER, links INTEGER,
  received_at TEXT, received_on TEXT, mediation_start TEXT, mediation_due TEXT,
  extended INTEGER, taken INTEGER, taken_by TEXT, sessions INTEGER, agreement_no TEXT,
  effective_on TEXT, confirmation TEXT, next_performance_due TEXT, referral_to TEXT,
  closed_on TEXT, rejected INTEGER, hlc INTEGER, active INTEGER, open INTEGER);
CREATE INDEX disputes_open ON disputes(open, mediation_due);
CREATE INDEX disputes_origin ON disputes(origin, received_on);
CREATE INDEX disputes_received ON disputes(received_on);
CREATE VIRTUAL TABLE disputes_fts USING fts5(record UNINDEXED, body);
CREATE TABLE screenings(record TEXT PRIMARY KEY, village TEXT, on_date TEXT,
  screeners TEXT, findings TEXT, findings_count INTEGER, high_risk INTEGER,
  none_found INTEGER, note TEXT, origin TEXT, author TEXT, hlc INTEGER, valid INTEGER);
CREATE INDEX screenings_village ON screenings(village, on_date)
"""

# Still needs somebody: mediation under way, or an agreement waiting to be performed
# (回访, 司法确认).  Performed and referred disputes are finished.
OPEN_STATUSES = tuple(sorted(ACTIVE)) + ("agreed",)

Levels = Callable[[sqlite3.Connection], dict[str, str]]


def create_tables(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)


class DisputeFolds:
    def __init__(self, levels: Levels, config: ConfigCache) -> None:
        self.levels = levels
        self.config = config

    def fold_dispute(self, conn: sqlite3.Connection, record: str,
                     events: list[dict[str, Any]]) -> None:
        state = dispute_case.fold(events, self.levels(conn))
        if state.status == "new":
            return  # a later step arrived before the registration: wait for it
        rules = DisputeRules.from_config(self.config.get(conn))
        write_dispute(conn, state, str(events[0]["origin"]), events[-1]["hlc"], rules)


def write_dispute(conn: sqlite3.Connection, state: DisputeState, first_origin: str,
                  hlc: int, rules: DisputeRules = DisputeRules()) -> None:
    origin = state.path[0][1] if state.path and state.path[0][1] else first_origin
    # Only the columns that do not depend on today are read from this row (see docstring);
    # any day works, the registration day is at hand.
    row = ledger_row(state, state.received_on or date.min, WorkCalendar(), rules)
    agreement = state.agreement or {}
    done = [r.get("on") for r in state.revisits if r.get("on")]
    last_revisit = max(done) if done else ""
    next_due = next((d.isoformat() for d in performance_dues(agreement)
                     if d.isoformat() > last_revisit), None) if state.status == "agreed" else None
    due = mediation_due(state, rules) if state.status in ACTIVE else None
    taken = state.taken or {}
    values = (
        state.record, row.no, row.dispute_type, row.parties, row.summary, row.risk,
        row.responsible, row.leader, row.method, row.progress, state.status, state.status_name,
        state.level, state.owner_node, origin, state.village,
        state.first_officer.get("name"), state.source, int(state.first_time), len(state.links),
        state.received_at, _iso(state.received_on), _iso(state.mediation_start), _iso(due),
        int(state.extended_to is not None), int(state.taken is not None),
        (taken.get("by") or {}).get("name"), len(state.sessions), agreement.get("no"),
        _iso(state.effective_on), (state.confirmation or {}).get("status"), next_due,
        (state.referral or {}).get("to"), _iso(state.closed_on), len(state.rejected), hlc,
        int(state.status in ACTIVE), int(state.status in OPEN_STATUSES))
    textrows.replace(conn, "disputes", values, index_text(
        " ".join(p.name for p in state.parties), state.summary, state.ledger_no,
        state.village, state.dispute_type, state.first_officer.get("name"),
        agreement.get("no"), row.leader))
    links.put(conn, prior_of_dispute(state))


def fold_screening(conn: sqlite3.Connection, record: str, events: list[dict[str, Any]]) -> None:
    event = next((e for e in events if e["type"] == "dispute.screened"), None)
    if event is None:
        return
    p = event["payload"]
    findings = p.get("findings") or []
    conn.execute("INSERT OR REPLACE INTO screenings VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", (
        record, p["village"], p["on"], "、".join(p.get("screeners") or []),
        json.dumps(findings, ensure_ascii=False), len(findings),
        sum(1 for f in findings if f.get("risk") == "高"), int(bool(p.get("none_found"))),
        p.get("note"), event["origin"], event["author"], event["hlc"],
        int(check_screening(p).ok)))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
