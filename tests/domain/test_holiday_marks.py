"""Entering a year's holidays by tapping days on a calendar."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.holiday_marks import HolidayMarks, marks_from_lists, month_grid
from app.domain.workdays import calendar_from_town_list, is_working_day


def test_a_weekday_toggles_between_work_and_off_a_weekend_day_between_rest_and_work():
    marks = HolidayMarks(2027)
    marks = marks.toggle(date(2027, 1, 1))          # Friday: 放假
    marks = marks.toggle(date(2027, 2, 7))          # Sunday: 调休上班
    assert (marks.mark(date(2027, 1, 1)), marks.mark(date(2027, 2, 7))) == ("放假", "调休上班")
    assert marks.toggle(date(2027, 1, 1)).mark(date(2027, 1, 1)) == ""
    assert marks.summary() == "2027 年：放假（工作日休息）1 天，调休上班（周末上班）1 天。"
    assert marks.by_month() == [(1, [date(2027, 1, 1)], []), (2, [], [date(2027, 2, 7)])]
    with pytest.raises(ValueError):
        marks.toggle(date(2026, 12, 31))


def test_a_notices_ranges_keep_only_what_changes_the_working_days():
    # 2026 国庆: 10月1日—7日 放假 (Thu–Wed), 9月27日 (Sun) and 10月10日 (Sat) 上班.
    holidays = [date(2026, 10, d) for d in range(1, 8)]
    marks = marks_from_lists(2026, holidays, [date(2026, 9, 27), date(2026, 10, 10),
                                              date(2026, 9, 28)])
    assert marks.holidays == {date(2026, 10, d) for d in (1, 2, 5, 6, 7)}
    assert marks.workdays == {date(2026, 9, 27), date(2026, 10, 10)}
    town = calendar_from_town_list({2026: {"holidays": [d.isoformat() for d in marks.holidays],
                                          "workdays": [d.isoformat() for d in marks.workdays]}})
    assert not is_working_day(date(2026, 10, 2), town)
    assert is_working_day(date(2026, 10, 10), town)


def test_the_month_grid_runs_monday_to_sunday():
    weeks = month_grid(2027, 2)
    assert weeks[0][:0] == [] and weeks[0][0] == date(2027, 2, 1)   # 1 Feb 2027 is a Monday
    assert all(len(week) == 7 for week in weeks)
    assert sum(1 for week in weeks for day in week if day) == 28
    assert month_grid(2026, 11)[0][:6] == [None] * 6                  # 1 Nov 2026 is a Sunday
