"""社会稳定风险评估 (issue #4 §3) as a reusable workflow service: plan → opinions (公示,
问卷, 走访, 座谈, 听证) → analysis of legality, reasonableness, feasibility and
controllability → grade 高/中/低 → report → collective decision 实施 / 暂缓实施 / 不实施.

Every step is checked by ``app.domain.risk.flow.RISK_ASSESSMENT`` with the rules in
force (``risk.*`` config; risk_grading): steps in order, grading below the suggestion
needs reasons, and the gate — 高 and 中 may not proceed, 低 only with control measures,
nothing found illegal or infeasible goes to a decision.  Another workflow (village
decisions) starts one with ``plan(subject={"kind": ..., "record": ...})`` and finds it
with ``for_subject``.

API (dates ``date`` or "YYYY-MM-DD"; ``on`` defaults to today):
    RiskAssessments(station, today=date.today, now=None)
    .plan(officer, matter=, responsible_unit=, assessors=, plan=, subject=None) -> record
    .gather_opinions(officer, record, method=, participants=, summary=, objecting=0,
                     strongly_objecting=0, supporting=None, attachments=())
    .analyse(officer, record, legality=(finding, note), reasonableness=…, feasibility=…,
             controllability=…)            findings: 符合 / 基本符合 / 不符合
    .suggestion(record)  -> Suggestion (grade, reason) from the opinions gathered
    .grade(officer, record, grade=, reasons=, measures=(), below_suggestion_reason="")
    .report(officer, record, conclusion=, report_no="")   (numbered here when empty)
    .gate(record)        -> Gate (allowed, message): may the decision be 实施?
    .decide(officer, record, decision=, meeting_name=, meeting_on=, attendees=, reason=)
    .assessment(record)  -> Assessment;  .sections(record) -> report sections for the PDF
    .actions(state)      -> [(event type, label)];  .assessments(text="", open_only=False)
    .for_subject(kind, record) -> [row]
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from app.accounts import Cadre
from app.domain.risk.flow import (
    DECISIONS, METHODS, RISK_ASSESSMENT, Assessment, report_sections)
from app.domain.risk.grading import (
    DIMENSIONS, FINDINGS, GRADES, Gate, RiskRules, Suggestion, proceed_gate, suggest_grade,
    tally)
from app.search_text import match_query
from app.services.errors import ServiceError
from app.services.workflow import Attachment, Workflow, as_date, names
from sync.ids import uuid7

ACTION_LABELS = RISK_ASSESSMENT.labels

Finding = tuple[str, str] | Mapping[str, str]


class RiskAssessments(Workflow):
    kind_name = "风险评估"
    flow = RISK_ASSESSMENT

    @property
    def risk_rules(self) -> RiskRules:
        return RiskRules.from_config(self.rules.config)

    def flow_rules(self) -> RiskRules:
        return self.risk_rules

    def assessment(self, record: str) -> Assessment:
        return self.state(record)

    def _act(self, officer: Cadre, record: str, event_type: str, payload: dict[str, Any]
             ) -> dict[str, Any]:
        return self.step(officer, record, self.assessment(record), event_type, payload)

    # the steps --------------------------------------------------------------------------
    def plan(self, officer: Cadre, *, matter: str, responsible_unit: str,
             assessors: Sequence[str] | str, plan: str,
             subject: Mapping[str, str] | None = None, on: date | str | None = None) -> str:
        """评估方案; returns the new assessment's record id."""
        payload: dict[str, Any] = {"on": self.on(on), "matter": matter.strip(),
                                   "responsible_unit": responsible_unit.strip(),
                                   "assessors": names(assessors), "plan": plan.strip()}
        if subject:
            payload["subject"] = {"kind": str(subject["kind"]), "record": str(subject["record"])}
        record = uuid7()
        self.step(officer, record, Assessment(record), "risk.planned", payload)
        return record

    def gather_opinions(self, officer: Cadre, record: str, *, method: str, participants: int,
                        summary: str, objecting: int = 0, strongly_objecting: int = 0,
                        supporting: int | None = None, attachments: Sequence[Attachment] = (),
                        on: date | str | None = None) -> dict[str, Any]:
        """One round of hearing people (公示, 问卷, 走访, 座谈 or 听证) with its counts."""
        if method not in METHODS:
            raise ServiceError("请选择征求意见方式：" + "、".join(METHODS) + "。")
        payload: dict[str, Any] = {"on": self.on(on), "method": method,
                                   "participants": int(participants), "objecting": int(objecting),
                                   "strongly_objecting": int(strongly_objecting),
                                   "summary": summary.strip()}
        if supporting is not None:
            payload["supporting"] = int(supporting)
        state = self.assessment(record)
        verdict = self._check(state, {"type": "risk.opinions_gathered", "v": 1,
                                      "payload": payload}, self.level)
        if not verdict.ok:
            raise ServiceError(verdict.message)
        if attachments:
            payload["attachments"] = [
                {**self.store.add_blob(self.station.blobs, a.data), "mime": a.mime,
                 **({"name": a.name.strip()[:200]} if a.name.strip() else {})}
                for a in attachments]
        return self.step(officer, record, state, "risk.opinions_gathered", payload)

    def analyse(self, officer: Cadre, record: str, *, legality: Finding,
                reasonableness: Finding, feasibility: Finding, controllability: Finding,
                on: date | str | None = None) -> dict[str, Any]:
        """合法性、合理性、可行性、可控性: each (finding 符合/基本符合/不符合, note)."""
        given = {"legality": legality, "reasonableness": reasonableness,
                 "feasibility": feasibility, "controllability": controllability}
        payload: dict[str, Any] = {"on": self.on(on)}
        for key, value in given.items():
            finding, note = (value.get("finding", ""), value.get("note", "")) \
                if isinstance(value, Mapping) else value
            if finding not in FINDINGS:
                raise ServiceError(f"请对{DIMENSIONS[key]}作出判断：" + "、".join(FINDINGS) + "。")
            payload[key] = {"finding": finding, "note": str(note).strip()}
        return self._act(officer, record, "risk.analysed", payload)

    def suggestion(self, record: str) -> Suggestion:
        """The advisory grade from the opinions gathered (risk_grading.suggest_grade)."""
        return suggest_grade(tally(self.assessment(record).opinions), self.risk_rules)

    def grade(self, officer: Cadre, record: str, *, grade: str, reasons: str,
              measures: Sequence[str] = (), below_suggestion_reason: str = "",
              on: date | str | None = None) -> dict[str, Any]:
        if grade not in GRADES:
            raise ServiceError("请确定风险等级：高、中或低。")
        payload: dict[str, Any] = {"on": self.on(on), "grade": grade, "reasons": reasons.strip(),
                                   "measures": [m.strip() for m in measures if m.strip()]}
        if below_suggestion_reason.strip():
            payload["below_suggestion_reason"] = below_suggestion_reason.strip()
        return self._act(officer, record, "risk.graded", payload)

    def report(self, officer: Cadre, record: str, *, conclusion: str, report_no: str = "",
               on: date | str | None = None) -> dict[str, Any]:
        state = self.assessment(record)
        probe = {"type": "risk.reported", "v": 1,
                 "payload": {"on": self.on(on), "report_no": "·", "conclusion": conclusion}}
        verdict = self._check(state, probe, self.level)
        if not verdict.ok:
            raise ServiceError(verdict.message)   # before a number is used up
        number = report_no.strip() or \
            f"{self.prefix()}稳评〔{self.today():%Y}〕{self.next_number('risk_report')}号"
        return self.step(officer, record, state, "risk.reported", {
            "on": self.on(on), "report_no": number[:40], "conclusion": conclusion.strip()})

    def gate(self, record: str) -> Gate:
        """May the collective decision be 实施 (with the reason when not)?"""
        state = self.assessment(record)
        return proceed_gate(state.grade, state.measures, state.analysis, self.risk_rules)

    def decide(self, officer: Cadre, record: str, *, decision: str, meeting_name: str,
               attendees: Sequence[str] | str, reason: str,
               meeting_on: date | str | None = None, on: date | str | None = None
               ) -> dict[str, Any]:
        """集体决策; 实施 only through the gate (高/中 may not proceed by default)."""
        if decision not in DECISIONS:
            raise ServiceError("请选择决策结果：" + "、".join(DECISIONS) + "。")
        when = self.on(on)
        meeting = {"name": meeting_name.strip(), "attendees": names(attendees),
                   "on": as_date(meeting_on).isoformat() if meeting_on else when}
        return self._act(officer, record, "risk.decided", {
            "on": when, "decision": decision, "meeting": meeting, "reason": reason.strip()})

    # reading ----------------------------------------------------------------------------
    def sections(self, record: str) -> list[tuple[str, str]]:
        """The report's sections (title, text) for the screen and the PDF."""
        return report_sections(self.assessment(record))

    def assessments(self, text: str = "", open_only: bool = False, limit: int = 200
             ) -> list[dict[str, Any]]:
        where, args = [], []
        if text.strip():
            match = match_query(text)
            if match is None:
                raise ServiceError("请输入要查找的评估事项。")
            where.append("rowid IN (SELECT rowid FROM risk_assessments_fts WHERE"
                         " risk_assessments_fts MATCH ?)")
            args.append(match)
        if open_only:
            where.append("open=1")
        cursor = self.conn.execute(
            "SELECT * FROM risk_assessments" + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY planned_on DESC, record DESC LIMIT ?", (*args, max(1, min(limit, 5000))))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def for_subject(self, kind: str, record: str) -> list[dict[str, Any]]:
        """Assessments of one matter of another workflow, newest first."""
        cursor = self.conn.execute("SELECT * FROM risk_assessments WHERE subject_kind=? AND"
                                   " subject_record=? ORDER BY planned_on DESC", (kind, record))
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


__all__ = ["ACTION_LABELS", "RiskAssessments"]
