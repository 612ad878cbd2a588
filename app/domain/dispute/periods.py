"""Periods in calendar days and months (期间), for disputes, mediation, petitions and risk.

The service desk counts *working days* because its promises are written that way
(RULES.md §1 服务承诺制, "N个工作日").  The statutes behind §2 say "日" and "月", which in
Chinese law are calendar days and calendar months:

* 民法典 Art 201: a period counted in days/months/years starts the day *after* the event
  (开始的当日不计入), so N days after ``start`` end on ``start + N``;
* 民法典 Art 202: a period in months ends on the corresponding day of the end month, or
  on that month's last day when it has no such day (01-31 + 1 month = 02-28, or 02-29 in
  a leap year);
* 民法典 Art 203 and 民事诉讼法 Art 85: when the last day is a statutory rest day, the
  period ends on the first day after it.  Whether a rule rolls over is decided per rule
  (each caller passes ``roll_over``), and the day after is the next *working* day of the
  town's ``WorkCalendar`` (weekends and holidays are rest days, 调休 Saturdays are not).

Law that means working days says "工作日" (e.g. 行政许可法 Art 82); none of the §2 rules
does, so nothing here counts working days.  Rolling over uses the calendar, so a date
that rests on a year without a holiday list is flagged provisional like the service
desk's (``shared.workdays.DueDate``).

Nothing here reads a clock: ``today`` is always passed in.
"""
from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.shared.workdays import DueDate, WorkCalendar, provisional_note

ON_TIME, DUE_SOON, OVERDUE, PAUSED = "on_time", "due_soon", "overdue", "paused"
DONE_ON_TIME, DONE_LATE = "done_on_time", "done_late"

# A roll-over longer than this means the calendar is broken (the longest Chinese holiday
# with its weekends is 9 days).
_MAX_ROLL = 40


def add_days(start: date, days: int) -> date:
    """The last day of a period of ``days`` calendar days from ``start`` (民法典 Art 201)."""
    if days < 0:
        raise ValueError(f"negative period: {days}")
    return start + timedelta(days=days)


def add_months(start: date, months: int) -> date:
    """The last day of a period of ``months`` months from ``start`` (民法典 Art 202)."""
    if months < 0:
        raise ValueError(f"negative period: {months}")
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = _calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def roll_over(day: date, calendar: WorkCalendar) -> DueDate:
    """``day`` if it is a working day, else the next working day (民法典 Art 203)."""
    missing: set[int] = set()
    for _ in range(_MAX_ROLL):
        working, provisional = calendar.classify(day)
        if provisional:
            missing.add(day.year)
        if working:
            return DueDate(day, bool(missing), tuple(sorted(missing)))
        day += timedelta(days=1)
    raise ValueError(f"no working day within {_MAX_ROLL} days of {day}")


def latest_roll_over(day: date, calendar: WorkCalendar) -> date:
    """Like ``roll_over``, but also past every provisional working day that the year's
    notice could still give off (``WorkCalendar.might_rest``): the latest end the period
    can turn out to have.  Equal to ``roll_over(day).date`` once the year is final."""
    for _ in range(_MAX_ROLL):
        if not calendar.might_rest(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no working day within {_MAX_ROLL} days of {day}")


@dataclass(frozen=True)
class CitizenEnd:
    """The end of a period a *citizen* must keep (a request window, RULES.md §2).

    ``due``: the end as the calendar stands now (provisional if its year's notice is not
    entered); ``latest``: the latest end a notice still to come could give it.  A request
    is late only after ``latest`` — a provisional date never refuses anyone (issue #10).
    """

    due: DueDate
    latest: date

    @property
    def provisional(self) -> bool:
        return self.due.provisional

    def in_time(self, day: date) -> bool:
        return day <= self.latest

    def favour_note(self) -> str:
        """Why a request after ``due`` but by ``latest`` still counts as in time."""
        if self.latest <= self.due.date:
            return ""
        return (f"期限截止日按暂定日历为{self.due.date.isoformat()}（{self.due.note or '日期为暂定'}）；"
                f"节假日安排公布后可能顺延到{self.latest.isoformat()}，按有利于信访人的原则，"
                f"{self.latest.isoformat()}前（含当日）提出的视为在期限内")


def citizen_period_end(start: date, *, days: int, calendar: WorkCalendar,
                       roll: bool) -> CitizenEnd:
    """End of a citizen's period of ``days`` calendar days from ``start`` (民法典 Art
    201, 203), with its latest possible end when the year is provisional."""
    due = period_end(start, days=days, calendar=calendar, roll=roll)
    if not roll:
        return CitizenEnd(due, due.date)
    return CitizenEnd(due, max(due.date, latest_roll_over(add_days(start, days), calendar)))


def period_end(start: date, *, days: int = 0, months: int = 0, not_counted: int = 0,
               calendar: WorkCalendar | None = None, roll: bool = False) -> DueDate:
    """End of a period from ``start``: ``months`` then ``days`` calendar days.

    ``not_counted`` days (e.g. a 听证 the rule leaves out) lengthen the period.  With
    ``roll`` the end moves off a rest day, which needs ``calendar``.
    """
    if not_counted < 0:
        raise ValueError(f"negative days not counted: {not_counted}")
    end = add_days(add_months(start, months), days + not_counted)
    if not roll:
        return DueDate(end)
    if calendar is None:
        raise ValueError("rolling a period end over rest days needs the work calendar")
    return roll_over(end, calendar)


def inclusive_days(first: date, last: date) -> int:
    """Days from ``first`` to ``last``, both counted (a hearing on one day is 1 day)."""
    return max(0, (last - first).days + 1)


@dataclass(frozen=True)
class ClockStatus:
    """Where a clock stands on ``today``, in calendar days.

    ``state``: on_time / due_soon / overdue / paused (running time stopped, e.g. during a
    听证 the rule does not count) / done_on_time / done_late.  ``days_left`` is positive
    before the due date, 0 on it, negative once past it (for done_*: how early (+) or
    late (-) it was done).  ``label`` is the Chinese text for the screen.
    """

    name: str  # what the clock is for, Chinese ("受理告知", "办理", "复查请求"...)
    state: str
    due: date
    days_left: int
    provisional: bool
    label: str
    source: str = ""  # the rule's citation, shown on tap

    @property
    def overdue(self) -> bool:
        return self.state in (OVERDUE, DONE_LATE)


def clock_status(name: str, due: DueDate | date, today: date, due_soon_days: int,
                 *, done_on: date | None = None, paused: bool = False,
                 source: str = "") -> ClockStatus:
    """The status of a clock that ends on ``due`` (see ``ClockStatus``)."""
    if not isinstance(due, DueDate):
        due = DueDate(due)
    end = due.date
    suffix = f"（{provisional_note(due.years_missing) or '日期为暂定'}）" if due.provisional else ""
    if done_on is not None:
        left = (end - done_on).days
        if left >= 0:
            return ClockStatus(name, DONE_ON_TIME, end, left, due.provisional,
                               f"{name}：按期完成" + suffix, source)
        return ClockStatus(name, DONE_LATE, end, left, due.provisional,
                           f"{name}：超期{-left}天完成" + suffix, source)
    left = (end - today).days
    if paused:
        label = f"{name}：听证期间暂停计算（截止日待听证结束后重算，目前为{end.isoformat()}）"
        return ClockStatus(name, PAUSED, end, left, due.provisional, label, source)
    if left < 0:
        state, label = OVERDUE, f"{name}：已超期{-left}天（截止{end.isoformat()}）"
    elif left == 0:
        state, label = DUE_SOON, f"{name}：今天到期"
    elif left <= due_soon_days:
        state, label = DUE_SOON, f"{name}：即将到期，还剩{left}天（截止{end.isoformat()}）"
    else:
        state, label = ON_TIME, f"{name}：还剩{left}天（截止{end.isoformat()}）"
    return ClockStatus(name, state, end, left, due.provisional, label + suffix, source)
