"""The reporting periods of 镇里概况 (issue #8 §3): this month, last month, this quarter,
this year, counted in calendar days with both ends included, as monthly and quarterly
reports are in practice. Pure: ``today`` is passed in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.errors import DomainError

PERIOD_KINDS = ("本月", "上月", "本季度", "今年")
QUARTER_NAMES = "一二三四"


@dataclass(frozen=True)
class Period:
    start: date
    end: date       # inclusive
    label: str      # how the report's title says it: 2026年11月, 2026年第四季度 …

    def contains(self, day: date | str | None) -> bool:
        if day is None or day == "":
            return False
        value = date.fromisoformat(day[:10]) if isinstance(day, str) else day
        return self.start <= value <= self.end

    @property
    def range_text(self) -> str:
        return f"{self.start.year}年{self.start.month}月{self.start.day}日至" \
               f"{self.end.year}年{self.end.month}月{self.end.day}日"


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def period_for(kind: str, today: date) -> Period:
    """The period ``kind`` (one of PERIOD_KINDS) as of ``today``; a running period ends
    today (the figures cannot know the rest of it yet)."""
    if kind == "本月":
        start = today.replace(day=1)
        return Period(start, today, f"{today.year}年{today.month}月")
    if kind == "上月":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end, f"{end.year}年{end.month}月")
    if kind == "本季度":
        first_month = (today.month - 1) // 3 * 3 + 1
        start = date(today.year, first_month, 1)
        return Period(start, min(today, _month_end(date(today.year, first_month + 2, 1))),
                      f"{today.year}年第{QUARTER_NAMES[(today.month - 1) // 3]}季度")
    if kind == "今年":
        return Period(date(today.year, 1, 1), today, f"{today.year}年")
    raise DomainError(f"统计期间只能选：{'、'.join(PERIOD_KINDS)}", code="period")
