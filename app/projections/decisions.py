"""村级民主决策 (issue #12): one row per village matter, with where it stands (the step to
do next, why it is blocked, whether a step failed), and one row per village register.

A matter is folded with the judge's context at each record's place
(app.domain.decisions.contexts): the village's register and the linked risk assessment
are read here, so when either changes the village's matters are folded again (the risk
fold and the register fold call ``refold``).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

from app.domain.decisions import contexts
from app.domain.decisions.procedure import FAILED, INCOMPLETE
from app.domain.decisions.rules import DecisionRules, RulesHistory
from app.domain.decisions.village import VillageRegister, extend_register, fold_register
from app.domain.decisions.workflow import NEW, Matter, fold, procedure
from app.domain.risk.grading import RiskRules
from app.projections.rules_cache import ConfigCache
from schemas.config import load_defaults
from sync.db import run_script

DDL = """
CREATE TABLE village_matters(record TEXT PRIMARY KEY, title TEXT, village TEXT, status TEXT,
  status_name TEXT, current TEXT, current_label TEXT, blocked TEXT, finished INTEGER,
  trouble TEXT, art24 INTEGER, money TEXT, opened_on TEXT, assessment TEXT,
  resolved_on TEXT, hlc INTEGER, rejected INTEGER);
CREATE INDEX village_matters_village ON village_matters(village);
CREATE INDEX village_matters_assessment ON village_matters(assessment);
CREATE TABLE village_registers(record TEXT PRIMARY KEY, village TEXT, hlc INTEGER);
CREATE INDEX village_registers_village ON village_registers(village)
"""

Levels = Callable[[sqlite3.Connection], dict[str, str]]
Events = Callable[[sqlite3.Connection, str], list[dict[str, Any]]]


def create_tables(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)


def parents(conn: sqlite3.Connection) -> dict[str, str]:
    """node id -> the hub that certified it (nodes_dir.hub comes from certificates)."""
    return dict(conn.execute("SELECT id, hub FROM nodes_dir WHERE hub IS NOT NULL"))


class DecisionFolds:
    def __init__(self, levels: Levels, config: ConfigCache, events: Events) -> None:
        self.levels = levels
        self.config = config
        self.events = events
        # village -> (the register's event count and last stamp, its fold): the roster's
        # people are built once per change, not at every view (bench.decisions)
        self._registers: dict[str, tuple[tuple[int, int], VillageRegister]] = {}
        self._history: tuple[list[dict[str, Any]], RulesHistory] | None = None
        # record -> a matter folded with its contexts, kept by the decision service
        # (app.services.decisions.base: opened again with nothing changed, not refolded)
        self.matter_cache: dict[str, tuple[Any, ...]] = {}

    def rules(self, conn: sqlite3.Connection) -> tuple[DecisionRules, RiskRules]:
        config = self.config.get(conn)
        return DecisionRules.from_config(config), RiskRules.from_config(config)

    def rules_history(self, conn: sqlite3.Connection) -> RulesHistory:
        """The decision rules in force at each stamp (a record is judged by its own)."""
        events = self.config.events(conn)
        if self._history is None or self._history[0] is not events:
            self._history = (events, RulesHistory(load_defaults(), events))
        return self._history[1]

    def register(self, conn: sqlite3.Connection, village: str) -> VillageRegister | None:
        row = conn.execute("SELECT record FROM village_registers WHERE village=? ORDER BY hlc"
                           " LIMIT 1", (village,)).fetchone()
        if row is None:
            return None
        key = tuple(conn.execute("SELECT COUNT(*), COALESCE(MAX(hlc), 0) FROM events"
                                 " WHERE record=?", (row[0],)).fetchone())
        held = self._registers.get(village)
        if held is not None and held[0] == key:
            return held[1]
        events = self.events(conn, row[0])
        if not events:
            return None
        # a roster change extends the register held (the unchanged entries' Persons kept);
        # an event that arrived out of order folds it again
        extended = extend_register(held[1], events) if held is not None else None
        register = extended if extended is not None else fold_register(events)
        self._registers[village] = (key, register)
        return register

    def matter(self, conn: sqlite3.Connection, record: str, events: list[dict[str, Any]]
               ) -> tuple[Matter, VillageRegister | None, dict[str, list[dict[str, Any]]]]:
        """The matter replayed with its contexts, its village's register and the
        events of every assessment its filings linked."""
        levels, tops = self.levels(conn), parents(conn)
        bare = fold(events, levels, tops)
        if bare.status == NEW:
            return bare, None, {}
        register = self.register(conn, bare.village)
        linked = {str(f["assessment"]) for f in bare.trail if f.get("assessment")}
        assessments = {a: self.events(conn, a) for a in linked}
        _, risk_rules = self.rules(conn)
        at = contexts.context_at(register, assessments, levels, self.rules_history(conn),
                                 risk_rules)
        return fold(events, levels, tops, at), register, assessments

    def fold_matter(self, conn: sqlite3.Connection, record: str,
                    events: list[dict[str, Any]]) -> None:
        matter, register, assessments = self.matter(conn, record, events)
        if matter.status == NEW:
            return
        decision_rules, risk_rules = self.rules(conn)
        latest = contexts.context_now(matter, register, assessments, self.levels(conn),
                                      decision_rules, risk_rules, date.today())
        state = procedure(matter, latest)
        current = state.status(state.current) if state.current else None
        trouble = "；".join(current.reasons) if current and current.status in (
            FAILED, INCOMPLETE) else ""
        resolved = next((r["fields"].get("date") for r in matter.records
                         if r.get("step") == "resolve" and state.status("resolve").record == r["id"]),
                        None) if any(s.code == "resolve" for s in matter.step_list) else None
        opened = matter.opened
        conn.execute("INSERT OR REPLACE INTO village_matters VALUES"
                     "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
                         record, opened.get("title"), matter.village, matter.status,
                         matter.status_name, state.current, current.label if current else "",
                         state.blocked, int(state.finished), trouble, int(matter.art24),
                         opened.get("money_yuan"), opened.get("on"), matter.assessment,
                         resolved, matter.last_hlc, len(matter.rejected)))

    def fold_register(self, conn: sqlite3.Connection, record: str,
                      events: list[dict[str, Any]], refold: Callable[[str], None]) -> None:
        register = fold_register(events)
        first = min(int(e["hlc"]) for e in events)
        conn.execute("INSERT OR REPLACE INTO village_registers VALUES(?,?,?)",
                     (record, register.village, first))
        for (matter,) in conn.execute("SELECT record FROM village_matters WHERE village=?",
                                      (register.village,)).fetchall():
            refold(matter)

    def assessment_changed(self, conn: sqlite3.Connection, assessment: str,
                           refold: Callable[[str], None]) -> None:
        for (matter,) in conn.execute("SELECT record FROM village_matters WHERE assessment=?",
                                      (assessment,)).fetchall():
            refold(matter)
