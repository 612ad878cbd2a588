"""村务公开 (组织法 Art 30): quarterly, monthly finances where busy, major matters at once."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.decisions.errors import DecisionError
from app.domain.decisions.publicity import (
    DONE, DONE_LATE, OPEN, OVERDUE, overdue, periodic_dues, publicity_schedule)
from tests.domain.decisions.support import RULES, rules_with


def _pub(category, day, event=None):
    out = {"category": category, "date": day}
    if event:
        out["event"] = event
    return out


def _status(dues, category):
    return [(d.label, d.status) for d in dues if d.category == category]


def test_ordinary_items_once_in_every_calendar_quarter():
    pubs = [_pub("一般事项", "2026-03-31"), _pub("一般事项", "2026-07-01")]
    dues = publicity_schedule(pubs, [], date(2026, 2, 10), date(2026, 10, 1), False, RULES)
    assert _status(dues, "一般事项") == [
        ("2026年第1季度", DONE), ("2026年第2季度", OVERDUE), ("2026年第3季度", DONE),
        ("2026年第4季度", OPEN)]
    missed = [d for d in overdue(dues) if d.category == "一般事项"]
    assert [d.message for d in missed] == ["一般事项（2026年第2季度）应在2026-06-30前公开，至今未公开；请尽快公开"]


def test_a_quarter_is_overdue_only_the_day_after_it_ends():
    assert periodic_dues("一般事项", 3, [], date(2026, 1, 1), date(2026, 3, 31))[0].status == OPEN
    assert periodic_dues("一般事项", 3, [], date(2026, 1, 1), date(2026, 4, 1))[0].status == OVERDUE


def test_finances_monthly_in_a_busy_village_quarterly_otherwise():
    pubs = [_pub("财务收支", "2026-01-31"), _pub("财务收支", "2026-03-05")]
    busy = publicity_schedule(pubs, [], date(2026, 1, 1), date(2026, 3, 10), True, RULES)
    assert _status(busy, "财务收支") == [("2026年1月", DONE), ("2026年2月", OVERDUE), ("2026年3月", DONE)]
    calm = publicity_schedule(pubs, [], date(2026, 1, 1), date(2026, 3, 10), False, RULES)
    assert _status(calm, "财务收支") == [("2026年第1季度", DONE)]
    # an ordinary publication does not stand in for the finances
    only_ordinary = publicity_schedule([_pub("一般事项", "2026-02-01")], [], date(2026, 1, 1),
                                       date(2026, 4, 2), False, RULES)
    assert _status(only_ordinary, "财务收支") == [("2026年第1季度", OVERDUE), ("2026年第2季度", OPEN)]


def test_a_town_may_ask_for_monthly_ordinary_publication():
    dues = publicity_schedule([], [], date(2026, 1, 1), date(2026, 2, 1), False,
                              rules_with(publicity_ordinary_months=1))
    assert _status(dues, "一般事项") == [("2026年1月", OVERDUE), ("2026年2月", OPEN)]


def test_major_matters_within_the_set_days():
    events = [{"id": "m1", "title": "村东道路硬化决议", "date": "2026-03-05"},
              {"id": "m2", "title": "集体土地流转决议", "date": "2026-03-05"},
              {"id": "m3", "title": "征地补偿分配方案", "date": "2026-03-05"},
              {"id": "m4", "title": "宅基地方案", "date": "2026-03-08"}]
    pubs = [_pub("重大事项", "2026-03-10", "m1"), _pub("重大事项", "2026-03-11", "m2")]
    dues = publicity_schedule(pubs, events, date(2026, 3, 1), date(2026, 3, 11), False, RULES)
    assert _status(dues, "重大事项") == [
        ("村东道路硬化决议", DONE), ("集体土地流转决议", DONE_LATE), ("征地补偿分配方案", OVERDUE),
        ("宅基地方案", OPEN)]
    late = [d for d in overdue(dues) if d.category == "重大事项"]
    assert [d.message for d in late] == [
        "重大事项（集体土地流转决议）应在2026-03-10前公开，2026-03-11才公开",
        "重大事项（征地补偿分配方案）应在2026-03-10前公开，至今未公开；请尽快公开"]


@pytest.mark.parametrize("pubs, message", [
    ([_pub("其他", "2026-01-01")], "公开类别“其他”不对，应为一般事项、财务收支或重大事项"),
    ([_pub("一般事项", "三月")], "公开日期“三月”不对，请重新选择"),
])
def test_bad_publication_records_are_refused(pubs, message):
    with pytest.raises(DecisionError) as info:
        publicity_schedule(pubs, [], date(2026, 1, 1), date(2026, 3, 1), False, RULES)
    assert info.value.message == message
