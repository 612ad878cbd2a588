"""The yearly scheme event's own checks and the fold of marks (app.domain.supervision.
assessment_year), pure: what the first hub refuses (``bad_scheme``) and what a fold keeps
aside."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.supervision.assessment_year import (
    check_year_scheme, marks, missing_marks, scheme_in_force)
from app.domain.supervision.errors import SupervisionError

CRITERIA = [{"code": "廉洁", "name": "廉洁自律", "weight": "60", "kind": "定性", "part": "组织认定"},
            {"code": "满意", "name": "群众满意", "weight": "40", "kind": "定量", "part": "群众评判",
             "measure": "service_satisfaction"}]
DOC = {"year": 2026, "title": "考评", "criteria": CRITERIA,
       "units": [{"village": "王湾村", "secretary": "王振华"}, {"village": "李庄村"}],
       "assessors": [{"name": "周正"}, {"name": "吴清"}],
       "star_bands": [{"stars": 2, "min": 90}, {"stars": 1, "min": 80}], "star_source": "镇党委办法"}


@pytest.mark.parametrize("change, message", [
    ({"units": []}, "请列出参加考核的村"),
    ({"units": [{"village": "王湾村"}, {"village": "王湾村"}]}, "参加考核的村有重复"),
    ({"assessors": []}, "方案有定性指标，请写明评分人（谁来打分）"),
    ({"assessors": [{"name": "周正"}, {"name": "周正"}]}, "评分人姓名不能为空，也不能重复"),
    ({"star_source": " "}, "请写明星级分数线的依据（例如镇党委的星级化管理办法）"),
    ({"star_bands": [{"stars": 2, "min": 80}, {"stars": 1, "min": 90}]},
     "星级分数线应当星级越高分数线越高，且每个星级只有一条"),
])
def test_a_scheme_event_is_checked_beyond_its_schema(change, message) -> None:
    assert check_year_scheme(DOC)
    with pytest.raises(SupervisionError) as info:
        check_year_scheme({**DOC, **change})
    assert info.value.message == message


def _event(kind: str, payload: dict, n: int) -> dict:
    return {"id": f"e{n}", "type": kind, "record": "r", "hlc": n, "payload": payload}


def test_the_latest_valid_scheme_is_in_force_and_marks_follow_it() -> None:
    events = [_event("assessment.scheme_set", DOC, 1),
              _event("assessment.scheme_set", {**DOC, "title": "坏的", "units": []}, 2),
              _event("assessment.score_given", {"year": 2026, "criterion": "廉洁", "assessor": "周正",
                                                "scores": [{"unit": "王湾村", "score": "50"},
                                                           {"unit": "李庄村", "score": "70"}]}, 3),
              _event("assessment.score_given", {"year": 2026, "criterion": "满意", "assessor": "吴清",
                                                "scores": [{"unit": "王湾村", "score": "30"}]}, 4),
              _event("assessment.score_given", {"year": 2026, "criterion": "廉洁", "assessor": "周正",
                                                "scores": [{"unit": "王湾村", "score": "55"}]}, 5)]
    year = scheme_in_force(events, 2026)
    assert year is not None and year.payload["title"] == "考评"       # the invalid one is not in force
    assert scheme_in_force(events, 2025) is None
    given = marks(events, year)
    assert given.by_unit == {"王湾村": {"廉洁": [{"assessor": "周正", "score": "55"}]}}
    assert given.aside == ("周正给李庄村“廉洁”打的70分未生效：分数应在0到60之间",
                           "吴清给王湾村“满意”打的30分未生效：方案里没有定性指标“满意”")
    assert missing_marks(year, given) == ["廉洁自律：王湾村还缺吴清的分数",
                                          "廉洁自律：李庄村还缺周正、吴清的分数"]


def _stamp(day: str) -> int:
    """A clock stamp (hlc) at 10:00 Beijing time on ``day``."""
    moment = datetime.fromisoformat(f"{day}T10:00:00+08:00")
    return int(moment.timestamp() * 1000) << 16


def test_a_later_clock_stamp_does_not_override_a_later_dated_correction() -> None:
    """Review L2: a mark replaces the earlier by the day it was recorded, then by clock; a
    mark dated after its own stamp, or after today, is kept aside with why — so a
    far-future stamp (accepted by a hub with a flag) cannot fix a mark for good."""
    def mark(score: str, on: str, stamped: str) -> dict:
        return {**_event("assessment.score_given", {
            "year": 2026, "criterion": "廉洁", "assessor": "周正", "on": on,
            "scores": [{"unit": "王湾村", "score": score}]}, 0), "hlc": _stamp(stamped)}
    events = sorted([{**_event("assessment.scheme_set", DOC, 0), "hlc": _stamp("2026-11-01")},
                     mark("40", "2026-11-20", "2026-11-20"),
                     mark("10", "2026-11-21", "2099-01-01"),    # a far-future stamp
                     mark("5", "2099-01-01", "2099-01-01"),     # and dated so as well
                     mark("1", "2026-11-26", "2026-11-20"),     # dated after its stamp
                     mark("45", "2026-11-25", "2026-11-25")],   # the real correction
                    key=lambda e: e["hlc"])
    year = scheme_in_force(events, 2026)
    assert year is not None
    given = marks(events, year, date(2026, 11, 27))
    assert given.by_unit == {"王湾村": {"廉洁": [{"assessor": "周正", "score": "45"}]}}
    assert given.aside == (
        "周正给王湾村“廉洁”打的1分未生效：录入日期2026-11-26晚于记录的时间，请在镇纪委的设备上重新录入",
        "周正给王湾村“廉洁”打的5分未生效：录入日期2099-01-01在今天之后，请核对录入设备的时钟后重新录入")
