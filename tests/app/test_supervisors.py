"""村务监督委员会 (issue #13 §3) on a real encrypted village station: the committee is
checked against 组织法 Art 32 before it is recorded (a 村委会 member's close relative, no
one with accounting knowledge: refused, nothing written), warnings kept; the yearly
民主评议 and what two consecutive 不称职 mean for a 监委会 member (Art 33; 罢免, not an
automatic end); the next review's due date."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.services.errors import ServiceError
from app.services.supervisors import Supervisors
from tests.ui.stations import cadre, make_station, unlocked

TODAY = date(2026, 11, 27)
MEMBERS = [{"id": "m1", "name": "王德明", "accounting": True, "role": "主任"},
           {"id": "m2", "name": "李秀珍", "management": True},
           {"id": "m3", "name": "张国强"}]
VILLAGE = [{"id": "c1", "name": "王振华", "posts": ["村民委员会成员"]},
           {"id": "c2", "name": "刘会计", "posts": ["村报账员"]}]


@pytest.fixture
def service(tmp_path: Path):
    station = unlocked(make_station(tmp_path / "v"))
    try:
        yield Supervisors(station, today=lambda: TODAY), cadre(station, "李建国")
    finally:
        station.close()


def count(service: Supervisors) -> int:
    return service.conn.execute(
        "SELECT COUNT(*) FROM events WHERE kind='village_supervision'").fetchone()[0]


def test_an_ineligible_committee_is_refused_with_every_reason(service) -> None:
    svc, officer = service
    relative = [{"a": "c1", "relation": "兄弟姐妹", "b": "m3"}]
    with pytest.raises(ServiceError) as caught:
        svc.set_committee(officer, "王湾村", "2026-03-01", MEMBERS, VILLAGE, relative)
    assert "张国强是村民委员会成员王振华的兄弟姐妹（近亲属）" in caught.value.message
    no_books = [dict(m, accounting=False) for m in MEMBERS]
    with pytest.raises(ServiceError, match="具备财会知识"):
        svc.set_committee(officer, "王湾村", "2026-03-01", no_books, VILLAGE, [])
    with pytest.raises(ServiceError, match="村报账员"):
        svc.set_committee(officer, "王湾村", "2026-03-01",
                          [*MEMBERS, {"id": "c2", "name": "刘会计", "posts": ["村报账员"]}], VILLAGE, [])
    with pytest.raises(ServiceError, match="不认识"):
        svc.set_committee(officer, "王湾村", "2026-03-01", MEMBERS, VILLAGE,
                          [{"a": "c1", "relation": "老乡", "b": "m3"}])
    assert count(svc) == 0
    # An in-law is not among the eight 近亲属 of 民法典 Art 1045: allowed.
    found = svc.set_committee(officer, "王湾村", "2026-03-01", MEMBERS, VILLAGE,
                              [{"a": "c1", "relation": "兄弟姐妹的配偶", "b": "m3"}])
    assert found.ok and count(svc) == 1


def test_reviews_two_unfit_in_a_row_and_the_next_due_date(service) -> None:
    svc, officer = service
    two = MEMBERS[:2]
    found = svc.set_committee(officer, "王湾村", "2025-03-01", two, VILLAGE, [])
    assert [w.code for w in found.warnings] == ["too_few"]
    first = svc.committee("王湾村")
    assert first.due.overdue and "2026-03-01" in first.due.message     # a year after election
    with pytest.raises(ServiceError, match="还缺李秀珍"):
        svc.record_review(officer, "王湾村", "2025-12-20", {"m1": "称职"})
    svc.record_review(officer, "王湾村", "2025-12-20", {"m1": "称职", "m2": "不称职"})
    after = svc.record_review(officer, "王湾村", "2026-11-20", {"m1": "基本称职", "m2": "不称职"})
    outcome = after.outcomes["m2"]
    assert outcome.longest_unfit_run == 2 and not outcome.ends_post
    assert "罢免" in outcome.message
    assert after.outcomes["m1"].message == ""
    assert not after.due.overdue and "2027-11-20" in after.due.message
    with pytest.raises(ServiceError, match="只能登记和查看本村"):
        svc.committee("李庄村")
