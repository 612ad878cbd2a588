"""The 纪委's case steps and clocks, and the 一案双查 close gate."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.shared.workdays import WorkCalendar
from app.domain.supervision.cases import case_clocks, check_case, current_step
from app.domain.supervision.double_check import close_gate
from app.domain.supervision.errors import SupervisionError
from tests.domain.supervision.support import RULES

CALENDAR = WorkCalendar()


def _clocks(case, today):
    return {c.name: c for c in case_clocks(case, today, CALENDAR, RULES)}


def test_transfer_from_above_within_five_working_days_across_the_national_day():
    case = {"received": "2026-09-28", "from_above": True}
    clock = _clocks(case, date(2026, 10, 9))["受理或转办"]
    assert clock.due == date(2026, 10, 10)            # 9-29, 9-30, 10-8, 10-9, 10-10 (调休)
    assert clock.state == "due_soon"
    assert clock.source == "纪检监察机关处理检举控告工作规则（2020年）第十六条第二款"
    late = _clocks({**case, "registered_on": "2026-10-12"}, date(2026, 10, 20))["受理或转办"]
    assert late.state == "done_late" and late.label == "受理或转办：超期2天完成"


def test_a_matter_for_the_level_above_goes_up_within_five_working_days():
    case = {"received": "2026-03-02", "belongs_above": True}
    clock = _clocks(case, date(2026, 3, 3))["报送上一级纪委"]
    assert clock.due == date(2026, 3, 9) and clock.state == "on_time"    # 3-3 … 3-9, weekend skipped
    assert _clocks({**case, "referred_up_on": "2026-03-10"}, date(2026, 3, 20))["报送上一级纪委"].state == "done_late"


def test_due_soon_starts_five_days_before():
    case = {"received": "2026-01-05", "disposal": "初步核实", "disposed_on": "2026-01-06",
            "preliminary_done": "2026-02-01", "filed_on": "2026-02-02"}      # due 2026-05-03
    assert _clocks(case, date(2026, 4, 27))["审查调查"].state == "on_time"
    assert _clocks(case, date(2026, 4, 28))["审查调查"].state == "due_soon"


def test_named_reporter_is_told_and_answered_within_fifteen_working_days():
    case = {"received": "2026-03-02", "named_reporter": True, "disposal": "初步核实",
            "disposed_on": "2026-03-05", "accept_notified_on": "2026-03-20"}
    clocks = _clocks(case, date(2026, 3, 25))
    assert clocks["告知实名举报人受理情况"].due == date(2026, 3, 23)
    assert clocks["告知实名举报人受理情况"].state == "done_on_time"
    assert clocks["初步核实"].due == date(2026, 5, 4)     # 60 days
    closed = {**case, "preliminary_done": "2026-04-20", "closed_on": "2026-04-21",
              "closed_reason": "反映问题不属实"}
    clocks = _clocks(closed, date(2026, 5, 20))
    assert clocks["向实名举报人反馈处理结果"].due == date(2026, 5, 14)
    assert clocks["向实名举报人反馈处理结果"].state == "overdue"
    assert current_step(closed) == "反馈"
    assert current_step({**closed, "replied_on": "2026-05-10"}) is None


def test_investigation_ninety_days_plus_an_approved_extension():
    case = {"received": "2026-01-05", "disposal": "初步核实", "disposed_on": "2026-01-06",
            "preliminary_done": "2026-02-01", "filed_on": "2026-02-02"}
    assert _clocks(case, date(2026, 3, 1))["审查调查"].due == date(2026, 5, 3)
    assert _clocks({**case, "extension_days": 30}, date(2026, 3, 1))["审查调查"].due == date(2026, 6, 2)
    assert _clocks({**case, "extension_days": 90}, date(2026, 3, 1))["审查调查"].due == date(2026, 8, 1)
    with pytest.raises(SupervisionError):
        case_clocks({**case, "extension_days": 91}, date(2026, 3, 1), CALENDAR, RULES)
    assert current_step(case) == "调查"


def test_a_decided_case_needs_a_revisit_and_the_steps_run_in_order():
    case = {"received": "2026-01-05", "disposal": "初步核实", "disposed_on": "2026-01-06",
            "preliminary_done": "2026-02-01", "filed_on": "2026-02-02", "investigated_on": "2026-04-01",
            "decided_on": "2026-04-15", "handling": ["党纪处分"]}
    assert _clocks(case, date(2026, 5, 1))["回访"].due == date(2026, 7, 14)
    assert current_step(case) == "回访"
    assert current_step({"received": "2026-01-05"}) == "处置"       # taken in here: registered
    assert current_step({"received": "2026-01-05", "from_above": True}) == "受理"


@pytest.mark.parametrize("change, problem", [
    ({"disposal": "放一放"}, "处置方式应为谈话函询、初步核实、暂存待查、予以了结之一"),
    ({"closed_on": "2026-02-01"}, "了结须写明理由"),
    ({"decided_on": "2026-03-01"}, "处理须写明处理方式"),
    ({"handling": ["罚款"]}, "处理方式“罚款”不认识"),
    ({"disposed_on": "2026-01-01"}, "处置日期不能早于收到日期"),
])
def test_inconsistent_case_records_are_named(change, problem):
    assert problem in check_case({"received": "2026-01-05", **change})
    with pytest.raises(SupervisionError):
        case_clocks({"received": "2026-01-05", **change}, date(2026, 3, 1), CALENDAR, RULES)


LIABLE = {"kind": "主体责任", "subject": "镇党委", "finding": "存在责任", "facts": "督促不力",
          "handling": ["通报"]}
CLEAR = {"kind": "监督责任", "subject": "镇纪委", "finding": "不存在责任", "facts": "已多次提醒",
         "handling": ["不予问责"], "reason": "已履行监督职责"}


def test_a_substantiated_case_cannot_close_without_both_reviews():
    gate = close_gate(True, [LIABLE], RULES)
    assert not gate.allowed and gate.missing == ("监督责任的审查（认定和处理）",)
    assert gate.message == ("这件案件已查实，须同时查明主体责任和监督责任（一案双查）才能结案；"
                            "还缺：监督责任的审查（认定和处理）")
    assert close_gate(True, [LIABLE, CLEAR], RULES).allowed
    assert close_gate(False, [], RULES).allowed


@pytest.mark.parametrize("review, missing", [
    ({**LIABLE, "handling": []}, "主体责任：问责方式（检查、通报、改组、诫勉、组织调整或者组织处理、纪律处分）"),
    ({**LIABLE, "handling": ["罚款"]}, "主体责任：问责方式（检查、通报、改组、诫勉、组织调整或者组织处理、纪律处分）"),
    ({**LIABLE, "facts": ""}, "主体责任：认定结论（存在责任或不存在责任）和认定的事实"),
    ({**LIABLE, "subject": ""}, "主体责任：写明被查的责任主体（单位或领导）"),
    ({**CLEAR, "kind": "主体责任", "reason": ""}, "主体责任：不予问责及其理由"),
])
def test_each_review_needs_its_own_finding_and_handling(review, missing):
    gate = close_gate(True, [review, CLEAR], RULES)
    assert gate.missing == (missing,)
