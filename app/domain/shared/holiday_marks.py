"""A year's holiday arrangement entered on a calendar (issue #8 §3: holidays entered by
tapping days, not typed as dates).

The statutory holidays of the year (全国年节及纪念日放假办法 Art 2, app.domain.shared.statutory_holidays)
are off whatever the notice says: they are marked from the start and cannot be changed.
The State Council's notice adds the rest: weekdays given off next to a festival (放假) and
weekend days worked instead (调休上班). So each other day has one switch: a tap on a
weekday marks it 放假 or back to 上班, a tap on a Saturday or Sunday marks it 调休上班 or
back to 休息. What is saved holds every statutory day, so the town's list is complete and
the year final (app.domain.shared.workdays). Pure: the screen keeps the marks and shows
``month_grid``.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from app.domain.shared.statutory_holidays import statutory_holidays

OFF, WORK, STATUTORY = "放假", "调休上班", "法定节假日"
WEEKDAY_NAMES = "一二三四五六日"


def _statutory(year: int) -> dict[date, str]:
    return {d: name for d, name in statutory_holidays(year).items() if d.year == year} \
        if year >= 2008 else {}


@dataclass(frozen=True)
class HolidayMarks:
    year: int
    holidays: frozenset[date] = field(default_factory=frozenset)   # weekdays off besides
    workdays: frozenset[date] = field(default_factory=frozenset)   # weekend days worked

    @property
    def statutory(self) -> dict[date, str]:
        """The year's statutory holidays and their festivals (always off)."""
        return _statutory(self.year)

    def mark(self, day: date) -> str:
        """法定节假日, 放假, 调休上班, or "" for an ordinary day."""
        if day in self.statutory:
            return STATUTORY
        return OFF if day in self.holidays else WORK if day in self.workdays else ""

    def toggle(self, day: date) -> HolidayMarks:
        """The one switch of ``day``: weekday 上班 ↔ 放假, weekend 休息 ↔ 调休上班. Raises
        ValueError (Chinese) for a day of another year or a statutory holiday."""
        if day.year != self.year:
            raise ValueError(f"{day.isoformat()} 不在 {self.year} 年")
        festival = self.statutory.get(day)
        if festival:
            raise ValueError(f"{day.month}月{day.day}日是法定节假日（{festival}），"
                             "按全国年节及纪念日放假办法第二条放假，不能改")
        if day.weekday() < 5:
            return replace(self, holidays=self.holidays ^ {day})
        return replace(self, workdays=self.workdays ^ {day})

    def all_holidays(self) -> list[date]:
        """What the town's list saves as 放假: every statutory day and the days marked."""
        return sorted(set(self.statutory) | self.holidays)

    def summary(self) -> str:
        return (f"{self.year} 年：法定节假日 {len(self.statutory)} 天（已标出，不能改），"
                f"另放假 {len(self.holidays)} 个工作日，调休上班 {len(self.workdays)} 天。")

    def by_month(self) -> list[tuple[int, list[date], list[date]]]:
        """(month, days off besides the statutory ones, weekend days worked) for the
        months with any such marks, in order."""
        months = sorted({d.month for d in self.holidays | self.workdays})
        return [(m, sorted(d for d in self.holidays if d.month == m),
                 sorted(d for d in self.workdays if d.month == m)) for m in months]


def marks_from_lists(year: int, holidays: Iterable[date], workdays: Iterable[date]
                     ) -> HolidayMarks:
    """Marks from a town list or a notice: statutory days are marked anyway; a listed
    放假 day on a weekend is rest anyway (the notice lists whole ranges), a 调休上班 day on
    a weekday is work anyway; only the exceptions are kept."""
    statutory = _statutory(year)
    return HolidayMarks(
        year, frozenset(d for d in holidays
                        if d.year == year and d.weekday() < 5 and d not in statutory),
        frozenset(d for d in workdays if d.year == year and d.weekday() >= 5))


def month_grid(year: int, month: int) -> list[list[date | None]]:
    """The month as weeks from Monday to Sunday, days outside it as None."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[day if day.month == month else None for day in week] for week in weeks]
