"""The statutory holidays of 全国年节及纪念日放假办法 Art 2, computed for any year, against the
State Council notices of 2010–2026 that ``chinesecalendar`` carries (real data)."""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from app.domain.shared.statutory_holidays import (
    BRIDGE_REACH, festival_of, possible_bridge, statutory_holidays)
from app.domain.shared.workdays import WorkCalendar

NOTICE_YEARS = range(2010, 2027)


@pytest.mark.parametrize("year", NOTICE_YEARS)
def test_every_computed_statutory_day_was_a_holiday_in_that_years_notice(year):
    days = statutory_holidays(year)
    # 11 days (13 from 2025), one fewer when 中秋 falls on 10-01 (2020, 2001)
    assert len(days) in ((12, 13) if year >= 2025 else (10, 11))
    for day, festival in days.items():
        assert chinese_calendar.is_holiday(day), f"{day} {festival}"


def test_the_2024_amendment_adds_new_years_eve_and_a_second_may_day():
    assert {d for d, f in statutory_holidays(2025).items() if f == "春节"} == {
        date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2025, 1, 31)}
    assert date(2025, 5, 2) in statutory_holidays(2025)
    assert {d for d, f in statutory_holidays(2024).items() if f == "春节"} == {
        date(2024, 2, 10), date(2024, 2, 11), date(2024, 2, 12)}     # 初一至初三 (2014 edition)
    assert date(2024, 5, 2) not in statutory_holidays(2024)


def test_2027_is_known_without_a_notice():
    # 2027: 除夕 02-05, 初一 02-06; 清明 04-05; 端午 06-09; 中秋 09-15.
    assert statutory_holidays(2027) == {
        date(2027, 1, 1): "元旦", date(2027, 2, 5): "春节", date(2027, 2, 6): "春节",
        date(2027, 2, 7): "春节", date(2027, 2, 8): "春节", date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节", date(2027, 5, 2): "劳动节", date(2027, 6, 9): "端午节",
        date(2027, 9, 15): "中秋节", date(2027, 10, 1): "国庆节", date(2027, 10, 2): "国庆节",
        date(2027, 10, 3): "国庆节"}
    assert festival_of(date(2027, 2, 5)) == "春节" and festival_of(date(2027, 2, 9)) is None


def test_bridge_reach_covers_every_weekday_a_notice_gave_off():
    # Recomputes BRIDGE_REACH from the notices: each weekday given off that is no statutory
    # day lies within the reach of the nearest festival (the 2015 抗战 days excepted).
    one_off = {date(2015, 9, 3), date(2015, 9, 4)}
    for year in NOTICE_YEARS:
        statutory = {**statutory_holidays(year - 1), **statutory_holidays(year),
                     **statutory_holidays(year + 1)}
        day = date(year, 1, 1)
        while day.year == year:
            if (day.weekday() < 5 and chinese_calendar.is_holiday(day) and day not in statutory
                    and day not in one_off):
                assert possible_bridge(day), day
            day += timedelta(days=1)


def test_far_from_any_festival_a_weekday_cannot_become_a_bridge_day():
    assert not possible_bridge(date(2027, 3, 10))
    assert not possible_bridge(date(2027, 1, 4))      # 元旦 reaches two days after, to 01-03
    assert possible_bridge(date(2027, 10, 8))         # 国庆 reaches five days after 10-03
    assert not possible_bridge(date(2027, 10, 9))     # a Saturday is a rest day anyway
    assert set(BRIDGE_REACH) == set(statutory_holidays(2027).values())


def test_uncovered_year_statutory_days_are_certain_rest_days_and_the_rest_provisional():
    calendar = WorkCalendar()
    assert calendar.classify(date(2027, 10, 1)) == (False, False)
    assert calendar.classify(date(2027, 10, 4)) == (True, True)
    assert calendar.might_rest(date(2027, 10, 4)) and not calendar.might_rest(date(2027, 3, 10))
    assert calendar.missing_holidays(2027)[0] == date(2027, 1, 1)
