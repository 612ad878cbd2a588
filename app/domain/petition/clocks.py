"""The clocks of a petition (信访工作条例, RULES.md §2), against a ``today`` passed in.

All in **calendar days**: the regulation writes "15日", "60日", "30日" and never
"工作日" (law that means working days says so, e.g. 行政许可法 Art 82).  Start day not
counted (民法典 Art 201); a last day on a rest day rolls to the next working day when
``petition.period_end_rolls_over`` is on (民法典 Art 203), using the town's calendar.

| clock         | from                         | length                          | article  |
|---------------|------------------------------|---------------------------------|----------|
| 受理告知       | day received (or handed down)| 15 days                         | 22, 23   |
| 办理 (处理)    | day accepted                 | 60 days + extensions ≤ 30 total | 34       |
| 复查意见       | day the 复查 request arrived | 30 days                         | 35       |
| 复核意见       | day the 复核 request arrived | 30 days, 听证 days not counted   | 36       |
| 请求复查/复核  | day the written answer was delivered | 30 days (the petitioner's) | 35, 36 |

A 建议意见 has the acceptance clock only (Art 31: studied, adopted or not, replied to).
A petitioner's window is judged at its latest possible end while its year's holiday
notice is not entered (``request_window_end``, dispute_periods.CitizenEnd).

Hearing days are left out only for the stages in ``petition.hearing_not_counted_stages``
(default 复核, the only one whose text says so); while such a hearing is open the clock
is shown paused.  A hearing's days are counted inclusively (a one-day hearing is 1 day).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Iterable

from app.domain.dispute.periods import (
    OVERDUE, CitizenEnd, ClockStatus, citizen_period_end, clock_status, inclusive_days,
    period_end)
from app.domain.petition.rules import PetitionRules
from app.domain.petition.state import LEVEL_NAMES, SUGGESTION, PetitionState
from app.domain.shared.workdays import DueDate, WorkCalendar

SOURCES = {
    "受理告知": "信访工作条例第二十二、二十三条：15日内决定是否受理并书面告知",
    "处理": "信访工作条例第三十四条：自受理之日起60日内办结，经负责人批准可延长一次、不超过30日",
    "复查": "信访工作条例第三十五条：自收到复查请求之日起30日内提出复查意见",
    "复核": "信访工作条例第三十六条：自收到复核请求之日起30日内提出复核意见，听证时间不计算在内",
    "请求复查": "信访工作条例第三十五条：自收到书面答复之日起30日内请求复查",
    "请求复核": "信访工作条例第三十六条：自收到书面答复之日起30日内请求复核",
}


def petition_period_end(start: date, days: int, calendar: WorkCalendar, rules: PetitionRules,
                        not_counted: int = 0) -> DueDate:
    """Last day of a petition period of ``days`` calendar days from ``start``."""
    return period_end(start, days=days, not_counted=not_counted, calendar=calendar,
                      roll=rules.period_end_rolls_over)


def acceptance_due(received_on: date, calendar: WorkCalendar,
                   rules: PetitionRules = PetitionRules()) -> DueDate:
    return petition_period_end(received_on, rules.acceptance_notice_days, calendar, rules)


def acceptance_clock(state: PetitionState, today: date, calendar: WorkCalendar,
                     rules: PetitionRules = PetitionRules()) -> ClockStatus | None:
    """15 days to decide and tell the petitioner in writing (first handling only: a
    复查/复核 request runs on its 30-day answer clock from the day it arrived)."""
    start = state.clock_start
    if start is None or state.stage != "处理":
        return None
    done = None
    if state.decision is not None:
        done = _date(state.decision.get("notice_on")) or state.decided_on
    due = acceptance_due(start, calendar, rules)
    return clock_status("受理告知", due, today, rules.due_soon_days, done_on=done,
                        source=SOURCES["受理告知"])


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def hearing_days(state: PetitionState, today: date,
                 rules: PetitionRules = PetitionRules()) -> tuple[int, bool]:
    """(hearing days not counted so far, is the clock paused now) for the record's stage."""
    if state.stage not in rules.hearing_not_counted_stages:
        return 0, False
    days, paused = 0, False
    for hearing in state.hearings:
        if hearing.end is None:
            paused = True
            days += inclusive_days(hearing.start, max(today, hearing.start))
        else:
            days += inclusive_days(hearing.start, hearing.end)
    return days, paused


def handling_due(state: PetitionState, today: date, calendar: WorkCalendar,
                 rules: PetitionRules = PetitionRules()) -> DueDate | None:
    """The date the 处理/复查/复核 opinion is due, hearing days left out per the rules."""
    if state.stage == "处理":
        start, days = state.accepted_on, rules.handling_days + state.extension_days
    else:
        start, days = state.received_on, rules.answer_days(state.stage)
    if start is None:
        return None
    not_counted, _ = hearing_days(state, today, rules)
    return petition_period_end(start, days, calendar, rules, not_counted)


def handling_clock(state: PetitionState, today: date, calendar: WorkCalendar,
                   rules: PetitionRules = PetitionRules()) -> ClockStatus | None:
    """The office's clock for its opinion; done once answered.  None for a 建议意见: it is
    studied and replied to (Art 31) — the 60 days of Art 34 are for the 信访处理意见书 of
    Art 33(5), i.e. 申诉求决 matters."""
    if state.status in ("refused", "transferred", "new") or state.category == SUGGESTION:
        return None
    if state.stage == "处理" and state.accepted_on is None:
        return None
    due = handling_due(state, today, calendar, rules)
    if due is None:
        return None
    _, paused = hearing_days(state, today, rules)
    name = {"处理": "办理期限", "复查": "复查期限", "复核": "复核期限"}[state.stage]
    if state.extensions:
        name += "（已延期）"
    return clock_status(name, due, today, rules.due_soon_days, done_on=state.answered_on,
                        paused=paused and state.answered_on is None,
                        source=SOURCES[state.stage])


def request_window_end(delivered_on: date, answered_stage: str, calendar: WorkCalendar,
                       rules: PetitionRules = PetitionRules()) -> CitizenEnd | None:
    """The end of the petitioner's window to ask for 复查 (after a 处理 answer) or 复核
    (after a 复查 answer), judged in the citizen's favour while its year is provisional;
    None when nothing can be requested (after 复核)."""
    days = rules.request_days(answered_stage)
    if days is None:
        return None
    return citizen_period_end(delivered_on, days=days, calendar=calendar,
                              roll=rules.period_end_rolls_over)


def request_window(state: PetitionState, today: date, calendar: WorkCalendar,
                   rules: PetitionRules = PetitionRules()) -> ClockStatus | None:
    """The petitioner's window to ask the next level up for 复查/复核 (None after 复核, and
    for a 建议意见, which is not reviewed: Art 35 is against a 信访处理意见)."""
    if state.status != "answered" or state.delivered_on is None or state.category == SUGGESTION:
        return None
    end = request_window_end(state.delivered_on, state.stage, calendar, rules)
    if end is None:
        return None
    name = "请求复查" if state.stage == "处理" else "请求复核"
    # While the end is provisional the petitioner is told the latest end a notice could
    # give it: a provisional date never refuses anyone (issue #10).
    due = end.due if end.latest <= end.due.date else replace(end.due, date=end.latest)
    status = clock_status(f"信访人可{name}", due, today, rules.due_soon_days,
                          source=SOURCES[name])
    if due is end.due:
        return status
    return replace(status, label=status.label + "；按有利于信访人的原则，取节假日安排公布后"
                                                "可能的最晚截止日")


def clocks(state: PetitionState, today: date, calendar: WorkCalendar,
           rules: PetitionRules = PetitionRules()) -> list[ClockStatus]:
    """Every clock of the petition that applies now, office clocks first."""
    found = [acceptance_clock(state, today, calendar, rules),
             handling_clock(state, today, calendar, rules),
             request_window(state, today, calendar, rules)]
    return [c for c in found if c is not None]


@dataclass(frozen=True)
class BoardRow:
    record: str
    level: str
    where: str
    title: str
    status: str
    first_time: bool
    overdue: bool
    days_left: int | None  # of the office clock still running, if any
    labels: tuple[str, ...]


def board(states: Iterable[PetitionState], today: date, calendar: WorkCalendar,
          rules: PetitionRules = PetitionRules()) -> list[BoardRow]:
    """Open petitions for a level's screen: overdue first (red at every level), then
    初信初访 (given priority, RULES.md §2), then the fewest days left."""
    rows = []
    for state in states:
        office = [c for c in (acceptance_clock(state, today, calendar, rules),
                              handling_clock(state, today, calendar, rules)) if c is not None]
        running = [c for c in office if not c.state.startswith("done")]
        if not running:
            continue
        title = state.summary[:30]
        rows.append(BoardRow(
            state.record, str(state.level), LEVEL_NAMES.get(state.level or "", ""), title,
            state.status_name, state.first_time, any(c.state == OVERDUE for c in running),
            min(c.days_left for c in running), tuple(c.label for c in running)))
    rows.sort(key=lambda r: (not r.overdue, not r.first_time,
                             r.days_left if r.days_left is not None else 10 ** 6, r.record))
    return rows
