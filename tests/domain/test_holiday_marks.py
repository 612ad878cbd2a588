"""Entering a year's holidays by tapping days on a calendar: the statutory days are there
from the start and cannot be changed; what is saved makes the town's list complete."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.shared.holiday_marks import HolidayMarks, marks_from_lists, month_grid
from app.domain.shared.workdays import calendar_from_town_list, is_working_day


def test_a_weekday_toggles_between_work_and_off_a_weekend_day_between_rest_and_work():
    marks = HolidayMarks(2027)
    marks = marks.toggle(date(2027, 2, 9))          # Tuesday after 春节: 放假
    marks = marks.toggle(date(2027, 2, 20))         # Saturday: 调休上班
    assert (marks.mark(date(2027, 2, 9)), marks.mark(date(2027, 2, 20))) == ("放假", "调休上班")
    assert marks.toggle(date(2027, 2, 9)).mark(date(2027, 2, 9)) == ""
    assert marks.by_month() == [(2, [date(2027, 2, 9)], [date(2027, 2, 20)])]
    assert marks.summary() == ("2027 年：法定节假日 13 天（已标出，不能改），另放假 1 个工作日，"
                               "调休上班 1 天。")
    with pytest.raises(ValueError):
        marks.toggle(date(2026, 12, 31))


def test_statutory_days_are_marked_and_cannot_be_changed():
    marks = HolidayMarks(2027)
    assert marks.mark(date(2027, 1, 1)) == "法定节假日"
    assert marks.mark(date(2027, 2, 6)) == "法定节假日"         # 春节, a Saturday
    with pytest.raises(ValueError) as caught:
        marks.toggle(date(2027, 10, 1))
    assert str(caught.value) == ("10月1日是法定节假日（国庆节），按全国年节及纪念日放假办法第二条放假，"
                                 "不能改")


def test_what_is_saved_makes_the_year_final():
    marks = HolidayMarks(2027).toggle(date(2027, 2, 9)).toggle(date(2027, 2, 20))
    town = calendar_from_town_list({2027: {
        "holidays": [d.isoformat() for d in marks.all_holidays()],
        "workdays": [d.isoformat() for d in marks.workdays]}})
    assert town.source(2027) == "town" and town.missing_holidays(2027) == []
    assert town.classify(date(2027, 3, 10)) == (True, False)     # final, not 暂定
    assert not is_working_day(date(2027, 2, 9), town)
    assert is_working_day(date(2027, 2, 20), town)


def test_a_notices_ranges_keep_only_what_the_town_can_change():
    # 2026 国庆: 10月1日—7日 放假 (Thu–Wed), 9月27日 (Sun) and 10月10日 (Sat) 上班.
    holidays = [date(2026, 10, d) for d in range(1, 8)]
    marks = marks_from_lists(2026, holidays, [date(2026, 9, 27), date(2026, 10, 10),
                                              date(2026, 9, 28)])
    assert marks.holidays == {date(2026, 10, d) for d in (5, 6, 7)}   # 1–3 are statutory
    assert marks.workdays == {date(2026, 9, 27), date(2026, 10, 10)}


def test_the_month_grid_runs_monday_to_sunday():
    weeks = month_grid(2027, 2)
    assert weeks[0][0] == date(2027, 2, 1)                            # a Monday
    assert all(len(week) == 7 for week in weeks)
    assert sum(1 for week in weeks for day in week if day) == 28
    assert month_grid(2026, 11)[0][:6] == [None] * 6                  # 1 Nov 2026 is a Sunday
