"""Working days across 国庆 and 春节 with 调休 Saturdays, and years nobody has defined.

Expected dates are written out by hand from the State Council notices (国办发明电):
2025 国庆/中秋: 10月1日至8日放假，9月28日（周日）、10月11日（周六）上班.
2026 春节: 2月15日至23日放假，2月14日（周六）、2月28日（周六）上班.
"""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.errors import CalendarError
from app.domain.shared.workdays import (
    WorkCalendar, add_working_days, calendar_from_town_list, is_working_day,
    working_days_between)

from tests.domain.calendars import COMPLETE_2027, PARTIAL_2027

LIBRARY_ONLY = WorkCalendar()
TOWN_2027 = COMPLETE_2027
NOTE_2027 = "2027年节假日安排尚未由镇里录入完整（已按法定节假日推算），日期为暂定"


@pytest.mark.parametrize("day, working", [
    (date(2025, 9, 28), True),    # Sunday, 调休上班
    (date(2025, 10, 1), False),
    (date(2025, 10, 8), False),   # Wednesday, still 国庆
    (date(2025, 10, 9), True),
    (date(2025, 10, 11), True),   # Saturday, 调休上班
    (date(2025, 10, 12), False),
    (date(2026, 2, 14), True),    # Saturday, 调休上班
    (date(2026, 2, 16), False),   # Monday, 春节
    (date(2026, 2, 23), False),   # Monday, last day of 春节
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),    # Saturday, 调休上班
])
def test_statutory_holidays_and_make_up_days_are_known(day, working):
    assert is_working_day(day, LIBRARY_ONLY) is working


def test_acceptance_day_is_not_counted():
    assert add_working_days(date(2025, 3, 3), 1, LIBRARY_ONLY).date == date(2025, 3, 4)
    assert add_working_days(date(2025, 3, 3), 0, LIBRARY_ONLY).date == date(2025, 3, 3)


@pytest.mark.parametrize("start, n, due", [
    (date(2025, 9, 26), 1, date(2025, 9, 28)),   # the make-up Sunday is day 1
    (date(2025, 9, 26), 4, date(2025, 10, 9)),   # 国庆 skipped
    (date(2025, 9, 26), 5, date(2025, 10, 10)),
    (date(2025, 9, 26), 6, date(2025, 10, 11)),  # the make-up Saturday counts
    (date(2025, 9, 26), 7, date(2025, 10, 13)),
    (date(2025, 10, 1), 1, date(2025, 10, 9)),   # accepted on a holiday
    (date(2026, 2, 13), 1, date(2026, 2, 14)),
    (date(2026, 2, 13), 2, date(2026, 2, 24)),   # 春节 skipped
    (date(2026, 2, 13), 5, date(2026, 2, 27)),
    (date(2026, 2, 13), 6, date(2026, 2, 28)),
])
def test_add_working_days_across_national_day_and_spring_festival(start, n, due):
    result = add_working_days(start, n, LIBRARY_ONLY)
    assert (result.date, result.provisional, result.years_missing) == (due, False, ())


def test_working_days_between_counts_end_not_start_and_is_signed():
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9), LIBRARY_ONLY).days == 1
    assert working_days_between(date(2025, 10, 9), date(2025, 9, 30), LIBRARY_ONLY).days == -1
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28), LIBRARY_ONLY).days == 6
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 13), LIBRARY_ONLY).days == 0


def test_clock_running_into_2027_without_town_list_is_provisional_but_skips_statutory_days():
    # 60 working days from 2026-12-01: 22 left in December, then 38 days of 2027 with
    # no notice: Monday–Friday less the statutory days that fall on weekdays (元旦 1月1日
    # Fri, 除夕 2月5日 Fri, 初三 2月8日 Mon; 初一、初二 are a weekend) → 2027-02-26.
    due = add_working_days(date(2026, 12, 1), 60, LIBRARY_ONLY)
    assert due.date == date(2027, 2, 26)
    assert due.provisional is True
    assert due.years_missing == (2027,)
    assert due.note == NOTE_2027


def test_clock_running_into_2027_with_town_list_is_final():
    # Same start: 1月1日–3日 and 2月5日–11日 off, Saturday 2月20日 worked → 2027-03-02.
    calendar = calendar_from_town_list(TOWN_2027)
    due = add_working_days(date(2026, 12, 1), 60, calendar)
    assert (due.date, due.provisional, due.note) == (date(2027, 3, 2), False, "")
    assert calendar.source(2027) == "town"


def test_a_town_list_with_only_some_holidays_leaves_the_year_provisional():
    # Only 春节 typed in: those dates are used, the year is not final (issue #10).
    calendar = calendar_from_town_list(PARTIAL_2027)
    due = add_working_days(date(2026, 12, 1), 60, calendar)
    assert (due.date, due.provisional, due.years_missing) == (date(2027, 3, 2), True, (2027,))
    assert calendar.source(2027) == "town_partial"
    assert date(2027, 10, 1) in calendar.missing_holidays(2027)
    assert calendar.classify(date(2027, 2, 9)) == (False, False)     # listed: certain
    assert calendar.classify(date(2027, 10, 1)) == (False, False)    # statutory: certain
    assert calendar.classify(date(2027, 10, 4)) == (True, True)      # may be a bridge day


def test_a_statutory_holiday_cannot_be_entered_as_a_make_up_working_day():
    with pytest.raises(CalendarError) as info:
        calendar_from_town_list({"2027": {"workdays": ["2027-10-02"]}})
    assert info.value.message == ("2027-10-02 是法定节假日（国庆节，全国年节及纪念日放假办法第二条），"
                                  "不能录成调休上班日，请改正2027年节假日安排")


def test_a_year_without_any_list_is_flagged_even_on_weekends():
    count = working_days_between(date(2027, 12, 31), date(2028, 1, 2), calendar_from_town_list(TOWN_2027))
    assert (count.days, count.provisional, count.years_missing) == (0, True, (2028,))
    assert count.note == NOTE_2027.replace("2027", "2028")


def test_several_missing_years_are_all_named():
    due = add_working_days(date(2026, 12, 1), 400, LIBRARY_ONLY)
    assert due.years_missing == (2027, 2028)
    assert due.note == NOTE_2027.replace("2027", "2027、2028")


def test_town_list_overrides_the_library_date_by_date():
    calendar = calendar_from_town_list({2026: {"holidays": ["2026-10-09"],
                                               "workdays": ["2026-10-07"]}})
    assert is_working_day(date(2026, 10, 9), calendar) is False    # library: working
    assert is_working_day(date(2026, 10, 7), calendar) is True     # library: 国庆
    assert is_working_day(date(2026, 10, 10), calendar) is True    # library's make-up day kept
    assert add_working_days(date(2026, 10, 8), 1, calendar).date == date(2026, 10, 10)
    assert calendar.source(2026) == "town"
    assert LIBRARY_ONLY.source(2026) == "statutory"
    assert LIBRARY_ONLY.source(2027) is None


@pytest.mark.parametrize("doc, message", [
    ({"2027": {"holidays": ["2027-02-30"]}}, "2027年放假日期“2027-02-30”不是有效日期（格式如 2027-10-01）"),
    ({"2027": {"workdays": ["2028-01-02"]}}, "2028-01-02 不在2027年，不能录入2027年的调休上班日期"),
    ({"2027": {"holidays": ["2027-10-09"], "workdays": ["2027-10-09"]}},
     "2027-10-09 同时被录成放假和上班，请改正2027年节假日安排"),
    ({"next": {}}, "节假日安排的年份“next”不对，应为四位数年份"),
])
def test_malformed_town_list_is_refused_in_chinese(doc, message):
    with pytest.raises(CalendarError) as info:
        calendar_from_town_list(doc)
    assert info.value.message == message


def test_negative_count_is_a_programming_error():
    with pytest.raises(ValueError):
        add_working_days(date(2025, 1, 1), -1, LIBRARY_ONLY)
