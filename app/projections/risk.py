"""社会稳定风险评估: one row per assessment, folded by ``app.domain.risk.flow.fold``
with the decision gate in force here (risk_grading), and a bigram index over the matter
(textrows).

The row says where the assessment stands (plan → opinions → analysis → grade → report →
decision), the grade and decision, the round (reassessment after 暂缓实施), and the matter
it assesses (``subject``: {kind, record}, e.g. a village decision), so another workflow
can find its assessment.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from app.domain.risk import flow as risk_assessment
from app.domain.risk.grading import RiskRules, tally
from app.projections import textrows
from app.projections.rules_cache import ConfigCache
from app.search_text import index_text
from sync.db import run_script

DDL = """
CREATE TABLE risk_assessments(record TEXT PRIMARY KEY, matter TEXT, status TEXT,
  status_name TEXT, level TEXT, origin TEXT, responsible_unit TEXT, assessors TEXT,
  subject_kind TEXT, subject_record TEXT, planned_on TEXT, opinions INTEGER,
  participants INTEGER, objecting INTEGER, grade TEXT, report_no TEXT, decision TEXT,
  decided_on TEXT, round INTEGER, rejected INTEGER, hlc INTEGER, open INTEGER);
CREATE INDEX risk_subject ON risk_assessments(subject_kind, subject_record);
CREATE INDEX risk_planned ON risk_assessments(planned_on);
CREATE VIRTUAL TABLE risk_assessments_fts USING fts5(record UNINDEXED, body)
"""
# Decided for good (实施 or 不实施); 暂缓实施 may be reassessed, so it stays open.
CLOSED_STATUSES = ("implement", "rejected")

Levels = Callable[[sqlite3.Connection], dict[str, str]]


def create_tables(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)


class RiskFolds:
    def __init__(self, levels: Levels, config: ConfigCache) -> None:
        self.levels = levels
        self.config = config

    def fold_assessment(self, conn: sqlite3.Connection, record: str,
                        events: list[dict[str, Any]]) -> None:
        rules = RiskRules.from_config(self.config.get(conn))
        state = risk_assessment.fold(events, self.levels(conn), rules)
        if state.status == "new":
            return
        planned = next((s for s in state.steps if s.event_type == "risk.planned"), None)
        plan = state.plan or {}
        subject = state.subject or {}
        counts = tally(state.opinions)
        decision = state.decision or {}
        values = (
            record, state.matter, state.status, state.status_name, state.level,
            planned.origin if planned else str(events[0]["origin"]), plan.get("responsible_unit"),
            "、".join(plan.get("assessors") or []), subject.get("kind"), subject.get("record"),
            plan.get("on"), len(state.opinions), counts.participants, counts.objecting,
            state.grade, (state.report or {}).get("report_no"), decision.get("decision"),
            decision.get("on"), state.round, len(state.rejected), events[-1]["hlc"],
            int(state.status not in CLOSED_STATUSES))
        textrows.replace(conn, "risk_assessments", values, index_text(
            state.matter, plan.get("responsible_unit"), " ".join(plan.get("assessors") or []),
            (state.report or {}).get("report_no")))
