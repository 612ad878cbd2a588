"""矛盾纠纷排查: screening records per village and the 排查台账 (dispute ledger).

RULES.md §2 矛盾纠纷排查台账 columns: no., type, parties, summary, 激化 risk, responsible
unit/person, 包案领导, method (人民/行政/司法调解), deadline, progress, result (agreement no.,
司法确认, referred to court), follow-up visit.  Issue #4 §1: periodic screening records per
village (date, screeners, findings); the town sees all its villages' ledgers with overdue
and high-risk first.

A screening is its own record (kind ``dispute_screening``, one ``dispute.screened`` event):
it is a fact about a village on a day, not a step of any dispute.  A finding that needs
mediation is registered as a dispute (source "排查发现") and the finding names it.
Villages are due for screening every ``dispute.screening_interval_days`` calendar days
(default 30: monthly screening is the common practice; a month is not used because a
screening on 01-31 would otherwise be due again on 02-28, earlier than on 03-01).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Mapping, Sequence

from app.domain.dispute.clocks import (
    confirmation_reminder, mediation_clock, mediation_due, revisits_due, risk_alert)
from app.domain.dispute.periods import OVERDUE, ClockStatus, clock_status
from app.domain.dispute.rules import DisputeRules
from app.domain.dispute.state import (
    ACTIVE, DISPUTE_TYPES, LEVEL_NAMES, RISK_LEVELS, DisputeState)
from app.domain.shared.workdays import WorkCalendar
from app.domain.workflow import iso_date
from app.domain.workflow import OK, Verdict

SCREENING_SOURCE = "[practice] 矛盾纠纷定期排查（RULES.md §2 排查台账）"

# The ledger's columns, in order (RULES.md §2), with the LedgerRow attribute for each.
LEDGER_COLUMNS = (
    ("no", "编号"), ("dispute_type", "纠纷类型"), ("parties", "当事人"),
    ("summary", "简要情况"), ("risk", "激化风险"), ("responsible", "责任单位/责任人"),
    ("leader", "包案领导"), ("method", "化解方式"), ("deadline", "化解期限"),
    ("progress", "进展情况"), ("result", "化解结果"), ("revisit", "回访情况"),
)


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def check_screening(payload: Mapping[str, Any]) -> Verdict:
    """Is a ``dispute.screened`` payload complete?  Chinese reason if not."""
    if not _text(payload, "village"):
        return Verdict(False, "missing_village", "请选择排查的村")
    if iso_date(payload.get("on")) is None:
        return Verdict(False, "bad_date", "请选择排查日期")
    screeners = [s for s in payload.get("screeners") or [] if isinstance(s, str) and s.strip()]
    if not screeners:
        return Verdict(False, "missing_screeners", "请填写排查人员")
    findings = payload.get("findings") or []
    if not findings and payload.get("none_found") is not True:
        return Verdict(False, "missing_findings",
                       "请填写排查发现的矛盾纠纷；没有发现的，请勾选“未发现矛盾纠纷”")
    for index, finding in enumerate(findings, 1):
        if not _text(finding, "summary"):
            return Verdict(False, "missing_summary", f"第{index}条排查发现没有填写简要情况")
        if finding.get("type") not in DISPUTE_TYPES or finding.get("risk") not in RISK_LEVELS:
            return Verdict(False, "bad_finding", f"请为第{index}条排查发现选择纠纷类型和激化风险")
    return OK


@dataclass(frozen=True)
class Screening:
    record: str
    village: str
    on: date
    screeners: tuple[str, ...]
    findings: tuple[Mapping[str, Any], ...]


def screenings_from(events: Iterable[Mapping[str, Any]]) -> list[Screening]:
    """The valid screenings among ``dispute.screened`` events, newest first."""
    out = []
    for event in events:
        if event.get("type") != "dispute.screened" or not check_screening(event["payload"]).ok:
            continue
        p = event["payload"]
        out.append(Screening(str(event["record"]), p["village"], date.fromisoformat(p["on"]),
                             tuple(p["screeners"]),
                             tuple(dict(f) for f in p.get("findings") or ())))
    out.sort(key=lambda s: (s.on, s.record), reverse=True)
    return out


@dataclass(frozen=True)
class ScreeningDue:
    village: str
    last_on: date | None
    status: ClockStatus | None  # None: never screened (shown as 尚未排查)
    label: str


def screening_schedule(villages: Sequence[str], screenings: Iterable[Screening], today: date,
                       rules: DisputeRules = DisputeRules()) -> list[ScreeningDue]:
    """When each village is next due for screening; never-screened and overdue first."""
    last: dict[str, date] = {}
    for s in screenings:
        if s.village not in last or s.on > last[s.village]:
            last[s.village] = s.on
    out = []
    for village in villages:
        on = last.get(village)
        if on is None:
            out.append(ScreeningDue(village, None, None, f"{village}：尚未开展排查，请尽快排查"))
            continue
        due = on + timedelta(days=rules.screening_interval_days)
        status = clock_status("下次排查", due, today, 5, source=SCREENING_SOURCE)
        out.append(ScreeningDue(village, on, status, f"{village}：上次排查{on.isoformat()}，{status.label}"))
    out.sort(key=lambda d: (d.status is not None, d.status.days_left if d.status else 0, d.village))
    return out


@dataclass(frozen=True)
class LedgerRow:
    record: str
    no: str
    dispute_type: str
    parties: str
    summary: str
    risk: str
    responsible: str
    leader: str
    method: str
    deadline: str
    progress: str
    result: str
    revisit: str
    village: str
    level: str
    overdue: bool
    active: bool  # mediation still under way
    high_risk: bool
    alert: bool  # high risk and nobody has taken it yet
    due: date | None
    received_on: date | None

    def cells(self) -> list[str]:
        """The row in LEDGER_COLUMNS order, for a table or the xlsx export."""
        return [getattr(self, attr) for attr, _ in LEDGER_COLUMNS]


def _responsible(state: DisputeState) -> str:
    unit = LEVEL_NAMES.get(state.level or "", "")
    if state.level == "village" and state.village:
        # "王湾村" + "调解室", not "王湾村" + "村调解室"
        unit = f"{state.village}{unit.removeprefix('村') if state.village.endswith('村') else unit}"
    here = [s for s in state.sessions if s.level == state.level]
    if here:
        person = "、".join(here[-1].mediators)
    elif state.level == state.intake_level:
        person = str(state.first_officer.get("name", ""))
    else:
        person = ""
    return f"{unit}/{person}" if person else unit


def _result(state: DisputeState) -> str:
    if state.agreement is not None:
        text = f"调解成功，协议书{state.agreement.get('no', '')}"
        if state.confirmation is not None:
            text += f"；司法确认{state.confirmation['status']}"
        return text
    if state.referral is not None:
        to = state.referral.get("to", "")
        return "调解不成，引导向人民法院起诉" if to == "诉讼" else f"调解不成，引导{to}"
    return ""


def _revisit(state: DisputeState, today: date, rules: DisputeRules) -> tuple[str, bool]:
    done = [f"{r.get('on')} {r['performance']}" for r in state.revisits]
    owed = revisits_due(state, today, rules)
    parts = list(done)
    overdue = any(r.status.state == OVERDUE for r in owed)
    if owed:
        parts.append(owed[0].status.label)
    return "；".join(parts), overdue


def ledger_row(state: DisputeState, today: date, calendar: WorkCalendar,
               rules: DisputeRules = DisputeRules()) -> LedgerRow:
    """One 排查台账 row for a dispute (RULES.md §2 columns)."""
    clock = mediation_clock(state, today, rules)
    due = mediation_due(state, rules) if state.status in ACTIVE else None
    revisit, revisit_overdue = _revisit(state, today, rules)
    progress = state.status_name
    if state.steps:
        progress += f"（{state.steps[-1].what}）"
    reminder = confirmation_reminder(state, today, calendar, rules)
    result = _result(state)
    if reminder is not None and reminder.state != OVERDUE:
        result += f"；{reminder.label}"
    parties = "、".join(f"{p.name}（{p.role}）" for p in state.parties)
    taken = state.taken or {}
    high = state.risk == "高"
    return LedgerRow(
        record=state.record, no=state.ledger_no or state.record,
        dispute_type=state.dispute_type or "", parties=parties, summary=state.summary,
        risk=state.risk or "", responsible=_responsible(state),
        leader=str(taken.get("by", {}).get("name", "")), method=state.method,
        deadline=clock.label if clock else "", progress=progress, result=result,
        revisit=revisit, village=state.village, level=state.level or "",
        overdue=bool(clock and clock.overdue) or revisit_overdue,
        active=state.status in ACTIVE, high_risk=high, alert=risk_alert(state, rules) is not None, due=due,
        received_on=state.received_on)


def town_board(states: Iterable[DisputeState], today: date, calendar: WorkCalendar,
               rules: DisputeRules = DisputeRules()) -> list[LedgerRow]:
    """The town's ledger of all its villages: overdue first, then untaken high-risk,
    then disputes still being mediated before finished ones, by risk (高 first), by
    mediation deadline (soonest first) and date received."""
    rows = [ledger_row(s, today, calendar, rules) for s in states if s.status != "new"]
    rank = {r: i for i, r in enumerate(reversed(RISK_LEVELS))}
    rows.sort(key=lambda r: (not r.overdue, not r.alert, not r.active, rank.get(r.risk, 9),
                             r.due or date.max, r.received_on or date.max, r.record))
    return rows
