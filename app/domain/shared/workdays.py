"""Working-day calendar for promised time limits (限时办结).

RULES.md §1 服务承诺制/限时办结制: time limits are in *working days*; statutory holidays and
make-up working days (调休) count.  Sources of truth, per date, first match wins:

1. the town-maintained holiday list (synced down as config ``calendar.holidays.<year>``):
   a date it lists as holiday is off, a date it lists as working day is on;
2. the ``chinesecalendar`` package (State Council notices, 2004–2026 in 1.11.0; it raises
   NotImplementedError for other years, which is how "not covered" is detected, so a newer
   package extends coverage without a code change);
3. the statutory holidays of 全国年节及纪念日放假办法 Art 2 (``shared.statutory_holidays``): off
   for certain in any year, notice or not;
4. Monday–Friday.  Such a date is *final* if the town has entered a *complete* list for
   its year, and *provisional* otherwise: the State Council's notice may still give a
   weekday next to a festival off or make a weekend a working day (调休).

A town list is complete when it holds every statutory holiday of its year (the notice
always does); a list with only some of them is used date by date but leaves the year
provisional (issue #10).  A list that calls a statutory holiday a working day is refused.

So the town list overrides the package date by date where both exist.  A date computed
through a provisional day is never passed off as final: ``DueDate.provisional`` is set
and ``note`` says so.  For a period a *citizen* must keep, ``might_rest`` tells which
provisional working days a notice could still give off (``shared.statutory_holidays.possible_bridge``),
so a window's latest possible end can be judged in the citizen's favour (dispute_periods).

Counting rule (our choice, the usual practice of 服务承诺 notices): the day of acceptance
does not count; day 1 is the first working day after it.  A limit of N working days
therefore falls due at the end of the N-th working day after acceptance, and a limit of 0
(即办) falls due on the day of acceptance itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping

import chinese_calendar

from app.domain.errors import CalendarError
from app.domain.shared.statutory_holidays import festival_of, possible_bridge, statutory_holidays

_ONE_DAY = timedelta(days=1)
# A promise longer than this is a data error, not a plan (longest catalog limit is 60).
MAX_WORKING_DAYS = 1000


@lru_cache(maxsize=8192)
def statutory_workday(day: date) -> bool | None:
    """Working day per the State Council notices in ``chinesecalendar``; None if not covered.

    Cached: the package's lookup costs ~70 µs a day, and a case list computes a deadline
    for every row (the data never changes while the program runs).
    """
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class YearList:
    """One year of the town list: dates off (holidays) and make-up working dates (调休).

    ``complete``: the list holds every statutory holiday of its year, so it is the whole
    notice and the year is final; an incomplete list is used date by date only."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    complete: bool = False


@dataclass(frozen=True)
class WorkCalendar:
    """Town list over statutory data over weekdays (see module docstring)."""

    town: Mapping[int, YearList] = field(default_factory=dict)
    statutory: Callable[[date], bool | None] = statutory_workday
    festival: Callable[[date], str | None] = festival_of

    def classify(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, is that answer provisional)."""
        listed = self.town.get(day.year)
        if listed is not None:
            if day in listed.workdays:
                return True, False
            if day in listed.holidays:
                return False, False
        known = self.statutory(day)
        if known is not None:
            return known, False
        if self.festival(day):
            return False, False  # Art 2: off whatever the notice says around it
        return day.weekday() < 5, not (listed is not None and listed.complete)

    def might_rest(self, day: date) -> bool:
        """Could ``day`` still turn out a rest day once its year's notice is known?
        True for rest days; for a provisional working day, True if a notice could make
        it a bridge day (statutory_holidays.possible_bridge)."""
        working, provisional = self.classify(day)
        return not working or (provisional and possible_bridge(day))

    def source(self, year: int) -> str | None:
        """"town" (a complete list), "statutory" (the package), "town_partial" (some
        dates entered, year still provisional) or None (provisional) for a year."""
        listed = self.town.get(year)
        covered = self.statutory(date(year, 1, 1)) is not None
        if listed is not None:
            return "town" if listed.complete or covered else "town_partial"
        return "statutory" if covered else None

    def missing_holidays(self, year: int) -> list[date]:
        """Statutory holidays of ``year`` the town list does not hold yet (all of them
        when there is no list); what keeps the year provisional."""
        if year < 2008:
            return []
        listed = self.town.get(year)
        have = listed.holidays if listed is not None else frozenset()
        return sorted(d for d in statutory_holidays(year) if d.year == year and d not in have)


def calendar_from_town_list(doc: Mapping[Any, Any] | None) -> WorkCalendar:
    """Build a calendar from the town list ``{year: {"holidays": [...], "workdays": [...]}}``.

    Years may be ints or strings (JSON keys); dates are ISO strings or ``date`` objects.
    Raises CalendarError (Chinese) when a date is malformed, outside its year, or listed
    both as holiday and as working day.
    """
    lists: dict[int, YearList] = {}
    for key, entry in (doc or {}).items():
        try:
            year = int(key)
        except (TypeError, ValueError) as exc:
            raise CalendarError(f"节假日安排的年份“{key}”不对，应为四位数年份") from exc
        if not isinstance(entry, Mapping):
            raise CalendarError(f"{year}年节假日安排格式不对，应包含放假日期和调休上班日期")
        holidays = _dates(year, entry.get("holidays", ()), "放假")
        workdays = _dates(year, entry.get("workdays", ()), "调休上班")
        both = sorted(holidays & workdays)
        if both:
            raise CalendarError(f"{both[0].isoformat()} 同时被录成放假和上班，请改正{year}年节假日安排")
        statutory = statutory_holidays(year) if year >= 2008 else {}
        worked = sorted(d for d in workdays if d in statutory)
        if worked:
            raise CalendarError(f"{worked[0].isoformat()} 是法定节假日（{statutory[worked[0]]}，"
                                "全国年节及纪念日放假办法第二条），不能录成调休上班日，"
                                f"请改正{year}年节假日安排")
        complete = all(d in holidays for d in statutory if d.year == year)
        lists[year] = YearList(holidays, workdays, complete)
    return WorkCalendar(town=lists)


def _dates(year: int, values: Iterable[Any], what: str) -> frozenset[date]:
    out = set()
    for value in values:
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError as exc:
            raise CalendarError(f"{year}年{what}日期“{value}”不是有效日期（格式如 {year}-10-01）") from exc
        if day.year != year:
            raise CalendarError(f"{day.isoformat()} 不在{year}年，不能录入{year}年的{what}日期")
        out.add(day)
    return frozenset(out)


def provisional_note(years: Iterable[int]) -> str:
    """"2027年节假日安排尚未由镇里录入完整（已按法定节假日推算），日期为暂定" for the given
    years (empty if none)."""
    ordered = sorted(set(years))
    if not ordered:
        return ""
    return (f"{'、'.join(str(y) for y in ordered)}年节假日安排尚未由镇里录入完整"
            "（已按法定节假日推算），日期为暂定")


@dataclass(frozen=True)
class DueDate:
    """A computed date, flagged provisional when it rests on a year nobody has defined."""

    date: date
    provisional: bool = False
    years_missing: tuple[int, ...] = ()

    @property
    def note(self) -> str:
        return provisional_note(self.years_missing)


@dataclass(frozen=True)
class DayCount:
    """A signed count of working days, flagged provisional like ``DueDate``."""

    days: int
    provisional: bool = False
    years_missing: tuple[int, ...] = ()

    @property
    def note(self) -> str:
        return provisional_note(self.years_missing)


def is_working_day(day: date, calendar: WorkCalendar) -> bool:
    """Whether ``day`` is a working day (see ``WorkCalendar.classify`` for provisional)."""
    return calendar.classify(day)[0]


def add_working_days(start: date, n: int, calendar: WorkCalendar) -> DueDate:
    """The n-th working day after ``start`` (``start`` itself not counted; n=0 gives start)."""
    if not 0 <= n <= MAX_WORKING_DAYS:
        raise ValueError(f"working-day count out of range: {n}")
    day, counted, missing = start, 0, set()
    while counted < n:
        day += _ONE_DAY
        working, provisional = calendar.classify(day)
        if provisional:
            missing.add(day.year)
        counted += working
    return DueDate(day, bool(missing), tuple(sorted(missing)))


def working_days_between(start: date, end: date, calendar: WorkCalendar) -> DayCount:
    """Working days d with start < d <= end; negative (the same count) when end < start.

    So ``working_days_between(today, due)`` is the working days left (0 on the due date)
    and, once overdue, minus the working days past it.
    """
    low, high, sign = (start, end, 1) if start <= end else (end, start, -1)
    day, counted, missing = low, 0, set()
    while day < high:
        day += _ONE_DAY
        working, provisional = calendar.classify(day)
        if provisional:
            missing.add(day.year)
        counted += working
    return DayCount(sign * counted, bool(missing), tuple(sorted(missing)))
