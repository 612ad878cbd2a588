"""Deadline status of a case and of its current step, against a frozen ``today``.

RULES.md §1 服务承诺制/限时办结制: every matter has a promised time limit in working days;
全程代理制: a step past its promised time escalates to the leader in charge (分管领导).
The due-soon threshold is a configurable default (``service.due_soon_working_days``).

Nothing here reads a clock: ``today`` is passed in, so tests and screens agree exactly.

A date that was provisional when promised (its year had no holiday list yet) is
recomputed from its rule (accepted on + N working days) whenever the calendar now knows
more; the citizen's slip keeps the date it showed, the screens use the recomputed one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.service.state import ACTIVE, LEVEL_NAMES, WITHDRAWN, CaseState
from app.domain.shared.workdays import (
    DueDate, WorkCalendar, add_working_days, provisional_note, working_days_between)

ON_TIME, DUE_SOON, OVERDUE = "on_time", "due_soon", "overdue"
CLOSED_ON_TIME, CLOSED_LATE = "closed_on_time", "closed_late"


@dataclass(frozen=True)
class DeadlineStatus:
    """``state`` is one of on_time / due_soon / overdue / closed_on_time / closed_late.

    ``working_days_left`` is positive before the due date, 0 on it, and minus the
    working days past it once overdue.  ``label`` is the Chinese text for the screen.
    """

    state: str
    due: date
    working_days_left: int
    provisional: bool
    label: str


@dataclass(frozen=True)
class Alert:
    """A promise that has been broken, for the leader in charge at ``level``."""

    kind: str  # "case" (the promised 办结 date) or "step" (the current hand-over)
    level: str
    due: date
    working_days_over: int
    leader: str  # the named leader, or the role to notify
    message: str


def deadline_status(due: DueDate | date, today: date, calendar: WorkCalendar,
                    due_soon_days: int = 2) -> DeadlineStatus:
    """Where ``today`` stands against ``due`` (on time, due soon, or overdue)."""
    if not isinstance(due, DueDate):
        due = DueDate(due)
    due_date = due.date
    count = working_days_between(today, due_date, calendar)
    missing = set(count.years_missing) | set(due.years_missing)
    if today > due_date:
        state = OVERDUE
        label = f"已超期{-count.days}个工作日" if count.days else "已超过承诺日期"
    elif count.days <= due_soon_days:
        state = DUE_SOON
        label = "今天到期" if count.days == 0 else f"即将到期，还剩{count.days}个工作日"
    else:
        state, label = ON_TIME, f"还剩{count.days}个工作日"
    provisional = bool(missing) or due.provisional
    if provisional:
        label += f"（{provisional_note(missing) or '日期为暂定'}）"
    return DeadlineStatus(state, due_date, count.days, provisional, label)


def effective_due(state: CaseState, calendar: WorkCalendar) -> DueDate | None:
    """The case's promised 办结 date, recomputed if it was provisional and can be now."""
    if state.due is None:
        return None
    if state.due_provisional and state.due_rule is not None:
        start, days = state.due_rule
        return add_working_days(start, days, calendar)
    return DueDate(state.due, state.due_provisional)


def case_deadline(state: CaseState, today: date, calendar: WorkCalendar,
                  due_soon_days: int = 2) -> DeadlineStatus | None:
    """Deadline of the whole case; once 办结, whether it was closed on time."""
    due = effective_due(state, calendar)
    if due is None:
        return None
    if state.status in ACTIVE:
        return deadline_status(due, today, calendar, due_soon_days)
    if state.closed_on is None or state.status == WITHDRAWN:
        return None     # 撤件: nothing was promised any more
    late = working_days_between(due.date, state.closed_on, calendar).days
    if state.closed_on > due.date:
        label = f"超期{late}个工作日办结" if late else "超过承诺日期办结"
        return DeadlineStatus(CLOSED_LATE, due.date, -late, due.provisional, label)
    return DeadlineStatus(CLOSED_ON_TIME, due.date, -late, due.provisional, "按时办结")


def overdue_alerts(state: CaseState, today: date, calendar: WorkCalendar,
                   notify_role: str = "分管领导") -> list[Alert]:
    """Broken promises of an active case: its 办结 date and its current step's date."""
    if state.status not in ACTIVE or state.level is None:
        return []
    title = state.matter_name or state.fields.get("summary") or "群众事项"
    where = LEVEL_NAMES[state.level]
    alerts = []
    due = effective_due(state, calendar)
    if due is not None and today > due.date:
        over = -working_days_between(today, due.date, calendar).days
        alerts.append(Alert(
            "case", state.level, due.date, over, notify_role,
            f"“{title}”已超过承诺办结日期（{due.date.isoformat()}）{over}个工作日，"
            f"目前在{where}，请{notify_role}督办"))
    if state.step_due is not None and today > state.step_due:
        over = -working_days_between(today, state.step_due, calendar).days
        leader = (state.step_leader or {}).get("name") or notify_role
        alerts.append(Alert(
            "step", state.level, state.step_due, over, leader,
            f"“{title}”在{where}的办理环节已超过约定日期（{state.step_due.isoformat()}）"
            f"{over}个工作日，请{leader}督办"))
    return alerts
