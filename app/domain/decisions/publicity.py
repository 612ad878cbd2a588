"""村务公开 schedule and overdue publications.

村民委员会组织法（2018年修正）第三十条第三款: "一般事项至少每季度公布一次；集体财务往来
较多的，财务收支情况应当每月公布一次；涉及村民利益的重大事项应当随时公布。"

* 一般事项 — one publication in every period of ``decisions.publicity_ordinary_months``
  months (3: each calendar quarter; a town may shorten it to 1 or 2, never lengthen it).
* 财务收支 — in a village whose collective finances are busy (the village's own setting,
  ``busy_finances``), one publication in every period of
  ``decisions.publicity_finance_busy_months`` (1: each calendar month); otherwise with the
  ordinary items.
* 重大事项 — each within ``decisions.publicity_major_days`` calendar days of the event
  (a decision taken, a result reached).  The law says "随时" (at once) and gives no number;
  the default is ours and the town may shorten it.

Periods are calendar periods counted from 1 January (每季度 = 1–3, 4–6, 7–9, 10–12月): a
period is kept when a publication of its kind falls inside it; it is overdue the day after
it ends without one.  A publication made after its period has ended counts for the period
it falls in, not for the one missed — the missed one stays overdue, so the record is
honest.  Nothing before ``since`` (when the village started keeping records here) is
judged, except the period containing ``since``, which is judged whole.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Mapping

from app.domain.decisions.errors import DecisionError
from app.domain.decisions.rules import DecisionRules

ORDINARY, FINANCE, MAJOR = "一般事项", "财务收支", "重大事项"
SOURCE = "村民委员会组织法（2018年修正）第三十条第三款"
DONE, DONE_LATE, OVERDUE, OPEN = "已公开", "已公开（逾期）", "逾期未公开", "待公开"


@dataclass(frozen=True)
class Due:
    category: str
    label: str                 # "2026年第1季度", "2026年3月", or the major matter's title
    start: date
    due: date                  # last day on time
    status: str
    published: date | None = None

    @property
    def overdue(self) -> bool:
        return self.status in (OVERDUE, DONE_LATE)

    @property
    def message(self) -> str:
        if self.status == OVERDUE:
            return f"{self.category}（{self.label}）应在{self.due.isoformat()}前公开，至今未公开；请尽快公开"
        if self.status == DONE_LATE:
            return f"{self.category}（{self.label}）应在{self.due.isoformat()}前公开，" \
                   f"{self.published.isoformat() if self.published else ''}才公开"
        if self.status == OPEN:
            return f"{self.category}（{self.label}）请在{self.due.isoformat()}前公开"
        return f"{self.category}（{self.label}）已于{self.published}公开"


def _periods(months: int, since: date, today: date) -> list[tuple[date, date]]:
    if months not in (1, 2, 3, 4, 6, 12):
        raise DecisionError(f"公开周期{months}个月不能把一年等分，请选1、2、3、4、6或12个月",
                            code="publicity")
    first_month = (since.month - 1) // months * months + 1
    start, out = date(since.year, first_month, 1), []
    while start <= today:
        end_month = start.month + months - 1
        end = date(start.year, end_month, calendar.monthrange(start.year, end_month)[1])
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


def _label(start: date, months: int) -> str:
    if months == 3:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if months == 1:
        return f"{start.year}年{start.month}月"
    if months == 12:
        return f"{start.year}年"
    return f"{start.year}年{start.month}—{start.month + months - 1}月"


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DecisionError(f"公开日期“{value}”不对，请重新选择", code="publicity") from None


def periodic_dues(category: str, months: int, publications: Iterable[date], since: date,
                  today: date) -> list[Due]:
    days = sorted(publications)
    out = []
    for start, end in _periods(months, since, today):
        inside = [d for d in days if start <= d <= end]
        if inside:
            status = DONE
        else:
            status = OVERDUE if today > end else OPEN
        out.append(Due(category, _label(start, months), start, end, status,
                       inside[0] if inside else None))
    return out


def publicity_schedule(publications: Iterable[Mapping[str, Any]],
                       major_events: Iterable[Mapping[str, Any]], since: date, today: date,
                       busy_finances: bool, rules: DecisionRules) -> list[Due]:
    """Every publication due from ``since`` to ``today``, each with its status.

    ``publications``: ``{"category": 一般事项|财务收支|重大事项, "date": ..., "event": id}``;
    ``major_events``: ``{"id": ..., "title": ..., "date": ...}`` (a decision taken, …).
    """
    by_category: dict[str, list[date]] = {ORDINARY: [], FINANCE: [], MAJOR: []}
    by_event: dict[str, date] = {}
    for item in publications:
        category = item.get("category")
        if category not in by_category:
            raise DecisionError(f"公开类别“{category}”不对，应为一般事项、财务收支或重大事项",
                                code="publicity")
        day = _day(item.get("date"))
        by_category[category].append(day)
        if item.get("event"):
            key = str(item["event"])
            by_event[key] = min(day, by_event.get(key, day))
    ordinary = rules.publicity_ordinary_months
    out = periodic_dues(ORDINARY, ordinary, by_category[ORDINARY], since, today)
    finance = rules.publicity_finance_busy_months if busy_finances else ordinary
    out += periodic_dues(FINANCE, finance, by_category[FINANCE], since, today)
    for event in major_events:
        happened = _day(event.get("date"))
        due = happened + timedelta(days=rules.publicity_major_days)
        published = by_event.get(str(event.get("id")))
        if published is not None:
            status = DONE if published <= due else DONE_LATE
        else:
            status = OVERDUE if today > due else OPEN
        out.append(Due(MAJOR, str(event.get("title") or event.get("id")), happened, due, status,
                       published))
    return out


def overdue(dues: Iterable[Due]) -> list[Due]:
    """The ones to flag to the village and the town: missed, or published late."""
    return [d for d in dues if d.overdue]
