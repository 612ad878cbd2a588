"""The roster in force at a record's clock stamp, keyed by the certified village node
(app.domain.supervision.rosters; security review of 2026-12-06, H1/H2/M2/M3). Pure."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.rosters import (
    CHINA, RosterBook, check_committee, committee_village, counted_answer_day, stamp_day)

LEVELS = {"wang": "village", "li": "village", "far": "village", "town": "town", "other": "town"}
PARENTS = {"wang": "hub", "li": "hub", "town": "hub", "far": "hub2", "other": "hub2"}
MEMBER = {"id": "m1", "name": "王德明", "accounting": True}


def stamp(day: date) -> int:
    ms = int(datetime(day.year, day.month, day.day, 10, tzinfo=CHINA).timestamp() * 1000)
    return ms << 16


def committee(origin: str, elected: str, ids: list[str], hlc: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"e{hlc}", "type": "supervisor.committee_set", "record": f"r{hlc}",
            "origin": origin, "hlc": hlc,
            "payload": {"village": "王湾村", "elected_on": elected, "village_members": [],
                        "relations": [], "members": [{"id": i, "name": i} for i in ids], **extra}}


def test_the_roster_in_force_is_the_latest_recorded_at_or_before_the_stamp() -> None:
    first, second = stamp(date(2026, 3, 1)), stamp(date(2026, 11, 20))
    book = RosterBook.build([committee("wang", "2026-03-01", ["m1"], first),
                             committee("wang", "2026-11-20", ["m4"], second)], LEVELS, PARENTS)
    assert book.members_at("wang", stamp(date(2026, 6, 1))) == {"m1"}
    assert book.members_at("wang", stamp(date(2026, 12, 1))) == {"m4"}
    assert book.members_at("wang", first - 1) == frozenset()
    current = book.current("wang")
    assert current is not None and current.member_ids == {"m4"}


def test_a_committee_counts_only_for_the_certified_village() -> None:
    at = stamp(date(2026, 5, 1))
    # another village's event, whatever name or node it announces, is its own
    assert committee_village(committee("li", "2026-05-01", ["x"], at), LEVELS, PARENTS) == "li"
    assert committee_village(committee("li", "2026-05-01", ["x"], at, village_id="wang"),
                             LEVELS, PARENTS) is None
    # a town counts for a village of its own town, named by node, never by name
    assert committee_village(committee("town", "2026-05-01", ["x"], at, village_id="wang"),
                             LEVELS, PARENTS) == "wang"
    assert committee_village(committee("town", "2026-05-01", ["x"], at), LEVELS, PARENTS) is None
    assert committee_village(committee("other", "2026-05-01", ["x"], at, village_id="wang"),
                             LEVELS, PARENTS) is None


def test_impossible_and_future_dates_are_left_out_never_crash() -> None:
    at = stamp(date(2026, 5, 1))
    book = RosterBook.build([committee("wang", "2999-13-45", ["x"], at),
                             committee("wang", "2099-01-01", ["y"], at + 1),
                             committee("wang", "2026-05-02", ["m1"], at + 2)], LEVELS, PARENTS)
    assert [r.member_ids for r in book.rosters["wang"]] == [{"m1"}]   # a day's slack
    with pytest.raises(SupervisionError, match="不是有效日期"):
        check_committee({"elected_on": "2999-13-45", "members": [MEMBER]}, at)
    with pytest.raises(SupervisionError, match="还没有到"):
        check_committee({"elected_on": "2026-05-03", "members": [MEMBER]}, at)


def test_art_32_is_checked_on_the_event_itself() -> None:
    at = stamp(date(2026, 5, 1))
    barred = {"id": "c1", "name": "王振华", "posts": ["村民委员会成员"]}
    with pytest.raises(SupervisionError, match="王振华是村民委员会成员") as caught:
        check_committee({"elected_on": "2026-04-01", "members": [MEMBER, barred]}, at)
    assert caught.value.code == "bad_committee"
    with pytest.raises(SupervisionError, match="超过5人"):
        check_committee({"elected_on": "2026-04-01", "members": [
            {**MEMBER, "id": f"m{i}"} for i in range(6)]}, at)
    check_committee({"elected_on": "2026-04-01", "members": [MEMBER]}, at)


def test_an_answer_counts_at_least_the_days_its_clock_shows() -> None:
    sent = stamp(date(2026, 5, 1))
    later = stamp(date(2026, 5, 21))
    assert counted_answer_day(date(2026, 5, 1), date(2026, 5, 1), sent, later) == date(2026, 5, 21)
    assert counted_answer_day(date(2026, 5, 25), date(2026, 5, 1), sent, later) == date(2026, 5, 25)
    assert stamp_day(later) == date(2026, 5, 21)
    assert stamp_day(later) - stamp_day(sent) == timedelta(days=20)
    assert datetime.fromtimestamp((later >> 16) / 1000, timezone.utc).date() == date(2026, 5, 21)
