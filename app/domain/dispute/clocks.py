"""Clocks and alerts of a dispute, against a ``today`` passed in.

Which days each rule counts, and why (see ``dispute.periods``):

* Mediation limit — **one calendar month** from the day the holding level received the
  dispute (人民调解工作若干规定 2002 Art 33 "一般在一个月内调结"; ``dispute.mediation_limit_months``),
  month arithmetic per 民法典 Art 202 (01-31 → 02-28/29).  Not rolled over rest days: it
  is a work target of the committee ("一般"), not a period a party must keep, and a
  village mediator works weekends when a quarrel flares.  An extension agreed by both
  sides replaces the date (``dispute.extended``).
* 司法确认 — **30 calendar days** from the agreement's effective date (人民调解法 Art 33;
  ``dispute.judicial_confirmation_days``).  The application is made to a court, so the
  court's period rule applies: a last day on a rest day moves to the next working day
  (民事诉讼法 Art 85; ``dispute.judicial_confirmation_rolls_over``).  The reminder is shown
  from the effective date until the parties apply or decline, and is marked due soon in
  the last ``dispute.judicial_confirmation_remind_days`` days.
* 回访 — **on each performance deadline** of the agreement (issue #4 §1;
  ``dispute.revisit_days_after_due`` days after it, 0 by default), calendar days: the
  parties' terms are written with calendar dates.
* High-risk alert — no clock: shown to the town until someone takes it (issue #4 §1;
  ``dispute.alert_risk_levels``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from app.domain.dispute.agreement import is_oral, performance_dues, terms_due_on
from app.domain.dispute.periods import (
    CitizenEnd, ClockStatus, citizen_period_end, clock_status, period_end)
from app.domain.dispute.rules import DisputeRules
from app.domain.dispute.state import ACTIVE, LEVEL_NAMES, DisputeState
from app.domain.shared.workdays import DueDate, WorkCalendar
from app.domain.workflow import iso_date

MEDIATION_SOURCE = "人民调解工作若干规定（2002）第三十三条：一般在一个月内调结"
CONFIRMATION_SOURCE = "人民调解法第三十三条：自调解协议生效之日起三十日内共同申请司法确认"
REVISIT_SOURCE = "RULES.md §2 排查台账“回访”；issue #4：在履行期限届满时回访"


def mediation_due(state: DisputeState, rules: DisputeRules = DisputeRules()) -> date | None:
    """The date mediation at the holding level should be finished by."""
    if state.extended_to is not None:
        return state.extended_to
    if state.mediation_start is None:
        return None
    return period_end(state.mediation_start, months=rules.mediation_limit_months).date


def mediation_clock(state: DisputeState, today: date,
                    rules: DisputeRules = DisputeRules()) -> ClockStatus | None:
    """The one-month mediation limit while mediation is under way; None otherwise."""
    if state.status not in ACTIVE:
        return None
    due = mediation_due(state, rules)
    if due is None:
        return None
    name = "调解期限（已经双方同意延长）" if state.extended_to else "调解期限"
    return clock_status(name, due, today, rules.mediation_due_soon_days, source=MEDIATION_SOURCE)


def confirmation_due(effective: date, calendar: WorkCalendar,
                     rules: DisputeRules = DisputeRules()) -> DueDate:
    """Last day to apply for 司法确认 (人民调解法 Art 33, 民事诉讼法 Art 85)."""
    return period_end(effective, days=rules.judicial_confirmation_days, calendar=calendar,
                      roll=rules.judicial_confirmation_rolls_over)


def confirmation_window(effective: date, calendar: WorkCalendar,
                        rules: DisputeRules = DisputeRules()) -> CitizenEnd:
    """The parties' 30 days as a citizen's period: while its year is provisional, its
    latest possible end (a provisional date never counts against the parties)."""
    return citizen_period_end(effective, days=rules.judicial_confirmation_days,
                              calendar=calendar, roll=rules.judicial_confirmation_rolls_over)


def confirmation_warning(state: DisputeState, calendar: WorkCalendar,
                         rules: DisputeRules = DisputeRules(), on: date | None = None
                         ) -> str | None:
    """A 司法确认 application recorded (or about to be, ``on``) after the 30 days of 人民调解法
    Art 33: the court may refuse it — say so (issue #10 item 11); None if in time."""
    if state.effective_on is None:
        return None
    applied = on
    if applied is None:
        record = state.confirmation or {}
        if record.get("status") != "已申请":  # only an application has its date recorded
            return None
        applied = iso_date(record.get("on"))
    if applied is None:
        return None
    window = confirmation_window(state.effective_on, calendar, rules)
    if window.in_time(applied):
        return None
    return (f"申请司法确认的日期{applied.isoformat()}已超过期限（协议{state.effective_on.isoformat()}生效，"
            f"应在{window.latest.isoformat()}前申请，{CONFIRMATION_SOURCE}），人民法院可能不予受理；"
            "协议仍然有效，一方不履行的，另一方可以向人民法院起诉")


def confirmation_reminder(state: DisputeState, today: date, calendar: WorkCalendar,
                          rules: DisputeRules = DisputeRules()) -> ClockStatus | None:
    """The 司法确认 reminder inside the window; None once applied, declined, or not agreed."""
    if state.status not in ("agreed", "performed") or state.effective_on is None:
        return None
    if state.confirmation is not None:
        return None
    window = confirmation_window(state.effective_on, calendar, rules)
    # The parties' period: while its year is provisional they are told its latest possible
    # end (a provisional date never counts against them, issue #10).
    due = window.due if window.latest <= window.due.date else replace(window.due,
                                                                       date=window.latest)
    status = clock_status("申请司法确认", due, today, rules.judicial_confirmation_remind_days,
                          source=CONFIRMATION_SOURCE)
    if status.state == "overdue":
        return ClockStatus(status.name, status.state, status.due, status.days_left,
                           status.provisional,
                           f"已过申请司法确认的期限（{status.due.isoformat()}），"
                           "协议仍有效；如一方不履行，可引导另一方向人民法院起诉", status.source)
    label = (status.label + "；双方当事人可共同向人民法院申请司法确认"
             if status.state != "on_time" else status.label)
    if is_oral(state.agreement):
        label += "（口头协议：如双方要申请司法确认，须先制作书面调解协议书，人民调解法第二十八条）"
    return ClockStatus(status.name, status.state, status.due, status.days_left,
                       status.provisional, label, status.source)


@dataclass(frozen=True)
class RevisitDue:
    """A 回访 owed at ``due`` (a performance deadline, plus the configured days)."""

    due: date
    terms: tuple[str, ...]
    status: ClockStatus


def revisits_due(state: DisputeState, today: date,
                 rules: DisputeRules = DisputeRules()) -> list[RevisitDue]:
    """回访 owed for an agreement: one per performance deadline not yet covered.

    A 回访 on or after a deadline covers it (and all earlier ones); nothing is owed once
    the agreement is recorded as fully performed (status ``performed``).
    """
    if state.status != "agreed" or state.agreement is None:
        return []
    done = [date.fromisoformat(r["on"]) for r in state.revisits if r.get("on")]
    last = max(done) if done else None
    out = []
    for deadline in performance_dues(state.agreement):
        due = deadline + timedelta(days=rules.revisit_days_after_due)
        if last is not None and last >= deadline:
            continue
        terms = tuple(terms_due_on(state.agreement, deadline))
        status = clock_status("回访", due, today, rules.mediation_due_soon_days,
                              source=REVISIT_SOURCE)
        out.append(RevisitDue(due, terms, status))
    return out


@dataclass(frozen=True)
class RiskAlert:
    """A dispute the town must see on its home screen until someone takes it."""

    record: str
    risk: str
    level: str
    received_at: str | None
    message: str


def risk_alert(state: DisputeState, rules: DisputeRules = DisputeRules()) -> RiskAlert | None:
    """The high-risk alert of an active, untaken dispute (issue #4 §1), or None."""
    if state.status not in ACTIVE or state.risk not in rules.alert_risk_levels:
        return None
    if state.taken is not None:
        return None
    where = LEVEL_NAMES.get(state.level or "", "")
    village = f"{state.village}，" if state.village else ""
    return RiskAlert(state.record, str(state.risk), str(state.level), state.received_at,
                     f"{village}{state.dispute_type}纠纷激化风险{state.risk}，目前在{where}，"
                     "请镇里指定包案领导认领并跟进")
