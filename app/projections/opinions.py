"""民意台账 (双联三解): one row per item heard on a 联系 visit, folded by
``app.domain.opinion.flow.fold``: its number, who heard it where, what kind of matter it
is, where it went (the record it became) and whether the people have heard back.  The
row's ``due`` is the day the people should hear back by; lateness is judged by the
service against today."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

from app.domain.opinion import flow as opinion_ledger
from sync.db import run_script

DDL = """
CREATE TABLE opinions(record TEXT PRIMARY KEY, ledger_no TEXT, status TEXT, status_name TEXT,
  level TEXT, origin TEXT, village TEXT, cadre TEXT, visit TEXT, people TEXT, content TEXT,
  collected_on TEXT, category TEXT, route TEXT, target_kind TEXT, target TEXT, unit TEXT,
  routed_on TEXT, due TEXT, answered_on TEXT, answer TEXT, dissatisfied INTEGER,
  rejected INTEGER, hlc INTEGER);
CREATE INDEX opinions_status ON opinions(status, collected_on);
CREATE INDEX opinions_target ON opinions(target)
"""

Levels = Callable[[sqlite3.Connection], dict[str, str]]


def create_tables(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)


class OpinionFolds:
    def __init__(self, levels: Levels) -> None:
        self.levels = levels

    def fold_opinion(self, conn: sqlite3.Connection, record: str,
                     events: list[dict[str, Any]]) -> None:
        state = opinion_ledger.fold(events, self.levels(conn))
        if state.status == "new":
            return
        origin = next((s.origin for s in state.steps if s.event_type == "opinion.collected"),
                      str(events[0]["origin"]))
        answer = state.answer or {}
        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None
        conn.execute(
            "INSERT OR REPLACE INTO opinions VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (record, state.ledger_no, state.status, state.status_name, state.level, origin,
             state.village, (state.cadre or {}).get("name"), (state.visit or {}).get("how"),
             "、".join(str(p.get("name", "")) for p in state.people), state.content,
             iso(state.collected_on), state.category, state.route, state.target_kind,
             state.target, state.unit, iso(state.routed_on), iso(state.due),
             iso(state.answered_on), answer.get("answer"), int(bool(answer.get("dissatisfied"))),
             len(state.rejected), events[-1]["hlc"]))
