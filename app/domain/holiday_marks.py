"""A year's holiday arrangement entered on a calendar (issue #8 §3: holidays entered by
tapping days, not typed as dates).

The State Council's notice for a year lists 放假 days and 调休上班 days; only the exceptions
to the ordinary week matter to the working-day count (app.domain.workdays): a weekday off
(放假) and a weekend day worked (调休上班). So each day of the calendar has one switch: a
tap on a weekday marks it 放假 or back to 上班, a tap on a Saturday or Sunday marks it
调休上班 or back to 休息. Pure: the screen keeps the marks and shows ``month_grid``.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

OFF, WORK = "放假", "调休上班"
WEEKDAY_NAMES = "一二三四五六日"


@dataclass(frozen=True)
class HolidayMarks:
    year: int
    holidays: frozenset[date] = field(default_factory=frozenset)   # weekdays off
    workdays: frozenset[date] = field(default_factory=frozenset)   # weekend days worked

    def mark(self, day: date) -> str:
        """放假, 调休上班, or "" for an ordinary day."""
        return OFF if day in self.holidays else WORK if day in self.workdays else ""

    def toggle(self, day: date) -> HolidayMarks:
        """The one switch of ``day``: weekday 上班 ↔ 放假, weekend 休息 ↔ 调休上班."""
        if day.year != self.year:
            raise ValueError(f"{day.isoformat()} 不在 {self.year} 年")
        if day.weekday() < 5:
            return replace(self, holidays=self.holidays ^ {day})
        return replace(self, workdays=self.workdays ^ {day})

    def summary(self) -> str:
        if not self.holidays and not self.workdays:
            return f"{self.year} 年还没有标出放假或调休上班的日子。"
        return (f"{self.year} 年：放假（工作日休息）{len(self.holidays)} 天，"
                f"调休上班（周末上班）{len(self.workdays)} 天。")

    def by_month(self) -> list[tuple[int, list[date], list[date]]]:
        """(month, holidays, workdays) for the months with any marks, in order."""
        months = sorted({d.month for d in self.holidays | self.workdays})
        return [(m, sorted(d for d in self.holidays if d.month == m),
                 sorted(d for d in self.workdays if d.month == m)) for m in months]


def marks_from_lists(year: int, holidays: Iterable[date], workdays: Iterable[date]
                     ) -> HolidayMarks:
    """Marks from a town list or a notice: a listed 放假 day that falls on a weekend is
    rest anyway (the notice lists whole ranges), a 调休上班 day on a weekday is work anyway;
    only the exceptions are kept."""
    return HolidayMarks(year, frozenset(d for d in holidays if d.year == year and d.weekday() < 5),
                        frozenset(d for d in workdays if d.year == year and d.weekday() >= 5))


def month_grid(year: int, month: int) -> list[list[date | None]]:
    """The month as weeks from Monday to Sunday, days outside it as None."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[day if day.month == month else None for day in week] for week in weeks]
