"""带班坐班: when each shift runs, and who is at the window at a given moment (RULES.md §1
带班坐班制: a window is never unattended; who is on duty is recorded and shown).

One function, ``duty_lines``, says for every roster entry what it is at ``now`` — on duty,
not yet come, not checked in, gone — with the words the screens show; the home screen's
现在值班 card and the 带班坐班 screen both read it, so at the same moment they say the same
thing (issue #8 §3: they used to disagree, e.g. at 19:00 a 全天 cadre still checked in
was 在岗 on one and 还没有排班 on the other, and after midnight the night shift was lost
because it belongs to the day before).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

# Office hours as commonly posted at 便民服务站; the night shift covers 全天候 intake of
# disputes (RULES.md §2) from 18:00 until 08:00 the next morning. Configurable later if a
# town posts other hours.
SHIFT_HOURS = {"上午": (time(8, 0), time(12, 0)), "下午": (time(12, 0), time(18, 0)),
               "全天": (time(8, 0), time(18, 0)), "夜间": (time(18, 0), time(8, 0))}

ON_DUTY, NOT_IN, UPCOMING, LEFT, MISSED, STAYED = (
    "on_duty", "not_in", "upcoming", "left", "missed", "stayed")


def shift_window(shift: str, day: date) -> tuple[datetime, datetime]:
    """When a shift of ``day`` starts and ends (夜间 ends the next morning)."""
    start, end = SHIFT_HOURS.get(shift, (time(0), time(0)))
    begins = datetime.combine(day, start)
    ends = datetime.combine(day + timedelta(days=1) if end <= start else day, end)
    return begins, ends


def shift_covers(shift: str, at: time) -> bool:
    """Whether a shift's hours include the time of day ``at`` (any day)."""
    start, end = SHIFT_HOURS.get(shift, (time(0), time(0)))
    if end <= start:
        return at >= start or at < end
    return start <= at < end


@dataclass(frozen=True)
class DutyLine:
    """One roster entry as it stands at a moment: ``state`` and the words for it."""

    entry: Mapping[str, Any]
    state: str          # on_duty, not_in, upcoming, left, missed, stayed
    label: str          # Chinese, the same on every screen
    now: bool           # at the window now (or should be): shown under 现在值班
    urgent: bool        # shown in red: nobody there although the shift is running

    @property
    def present(self) -> bool:
        return self.state in (ON_DUTY, STAYED)


def _clock(stamp: str | None) -> str:
    return (stamp or "")[-5:]


def duty_line(entry: Mapping[str, Any], now: datetime) -> DutyLine:
    """What ``entry`` (a roster row: date, shift, checked_in_at, checked_out_at) is at
    ``now``."""
    begins, ends = shift_window(str(entry["shift"]), date.fromisoformat(str(entry["date"])))
    running = begins <= now < ends
    came, left = entry.get("checked_in_at"), entry.get("checked_out_at")
    if left:
        return DutyLine(entry, LEFT, f"已签退 {_clock(left)}", False, False)
    if came:
        if now < ends:
            return DutyLine(entry, ON_DUTY, f"在岗（{_clock(came)} 签到）", True, False)
        return DutyLine(entry, STAYED, f"在岗（{_clock(came)} 签到，已过下班时间，"
                                       "离开时请签退）", True, False)
    if now < begins:
        starts = f"{begins:%H:%M}" if begins.date() == now.date() else \
            f"{begins.month}月{begins.day}日 {begins:%H:%M}"
        return DutyLine(entry, UPCOMING, f"{starts} 上班", False, False)
    if running:
        return DutyLine(entry, NOT_IN, "未签到", True, True)
    return DutyLine(entry, MISSED, "未到岗（没有签到）", False, False)


def duty_lines(entries: Iterable[Mapping[str, Any]], now: datetime) -> list[DutyLine]:
    """Every entry that matters at ``now``: today's, and a night shift of the day before
    that is still running or was never signed off. 带班 first, then by shift start."""
    today = now.date()
    lines = []
    for entry in entries:
        day = date.fromisoformat(str(entry["date"]))
        if day != today:
            _, ends = shift_window(str(entry["shift"]), day)
            line = duty_line(entry, now)
            if day != today - timedelta(days=1) or not (now < ends or line.state == STAYED):
                continue
            lines.append(line)
        else:
            lines.append(duty_line(entry, now))
    return sorted(lines, key=lambda line: (line.entry["role"] != "带班",
                                           shift_window(str(line.entry["shift"]),
                                                        date.fromisoformat(
                                                            str(line.entry["date"])))[0]))


def next_start(lines: Iterable[DutyLine]) -> DutyLine | None:
    """The next shift to begin, when nobody is on duty now."""
    upcoming = [line for line in lines if line.state == UPCOMING]
    return min(upcoming, key=lambda line: shift_window(
        str(line.entry["shift"]), date.fromisoformat(str(line.entry["date"])))[0],
        default=None)
