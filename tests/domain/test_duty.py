"""Who is on duty at a moment: one answer for the home card and the 带班坐班 screen."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.domain.duty import duty_lines, next_start, shift_covers

DAY, YESTERDAY = "2026-11-27", "2026-11-26"


def entry(shift: str, role: str = "坐班", day: str = DAY, came: str | None = None,
          left: str | None = None, name: str = "王丽") -> dict:
    return {"record": f"{day}-{shift}-{name}", "date": day, "shift": shift, "role": role,
            "cadre": name, "cadre_name": name, "checked_in_at": came, "checked_out_at": left}


def at(hour: int, minute: int = 0, day: int = 27) -> datetime:
    return datetime(2026, 11, day, hour, minute)


@pytest.mark.parametrize("now, state, label, on_now", [
    (at(7, 30), "upcoming", "08:00 上班", False),
    (at(9), "not_in", "未签到", True),
    (at(19), "missed", "未到岗（没有签到）", False),
])
def test_a_day_shift_nobody_checked_into(now, state, label, on_now):
    (line,) = duty_lines([entry("全天")], now)
    assert (line.state, line.label, line.now) == (state, label, on_now)


def test_a_cadre_who_stays_after_hours_is_still_shown_on_duty():
    # At 19:00 the 全天 cadre who checked in and never out is at the window: the home card
    # used to say 还没有排班 while the duty screen said 在岗.
    (line,) = duty_lines([entry("全天", came=f"{DAY} 07:55")], at(19))
    assert (line.state, line.now, line.present) == ("stayed", True, True)
    assert line.label == "在岗（07:55 签到，已过下班时间，离开时请签退）"


def test_after_midnight_the_night_shift_of_the_day_before_is_on_duty():
    night = entry("夜间", day=YESTERDAY, came=f"{YESTERDAY} 18:00", name="李建国")
    today = entry("全天", name="王丽")
    lines = duty_lines([night, today], at(2))
    assert [(line.entry["cadre_name"], line.state, line.now) for line in lines] == [
        ("李建国", "on_duty", True), ("王丽", "upcoming", False)]
    assert next_start(lines).entry["cadre_name"] == "王丽"


def test_yesterdays_finished_shifts_are_not_listed_today():
    done = entry("全天", day=YESTERDAY, came=f"{YESTERDAY} 08:00", left=f"{YESTERDAY} 18:05")
    night = entry("夜间", day=YESTERDAY, came=f"{YESTERDAY} 18:00", left=f"{DAY} 08:00")
    assert duty_lines([done, night], at(9)) == []


def test_leader_first_then_by_start():
    lines = duty_lines([entry("下午", name="甲"), entry("上午", name="乙"),
                        entry("全天", role="带班", name="丙")], at(9))
    assert [line.entry["cadre_name"] for line in lines] == ["丙", "乙", "甲"]


def test_checked_out_is_shown_as_left_not_as_not_in():
    (line,) = duty_lines([entry("全天", came=f"{DAY} 08:00", left=f"{DAY} 11:00")], at(11, 30))
    assert (line.state, line.label, line.now) == ("left", "已签退 11:00", False)


def test_shift_hours():
    assert shift_covers("夜间", at(23).time()) and shift_covers("夜间", at(3).time())
    assert not shift_covers("夜间", at(9).time())
    assert shift_covers("上午", at(8).time()) and not shift_covers("上午", at(12).time())
