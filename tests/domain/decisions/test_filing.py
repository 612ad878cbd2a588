"""决策前论证备案 gate: filing accepted by the town, and the stability-risk gate."""
from __future__ import annotations

import pytest

from app.domain.decisions.filing import filing_gate, filing_missing
from app.domain.risk.grading import RiskRules, proceed_gate
from tests.domain.decisions.support import CONFIG

RISK = RiskRules.from_config(CONFIG)
LOW = {"status": "reported", "grade": "低", "measures": ["设立意见箱，专人答复"],
       "analysis": {"legality": {"finding": "符合"}, "feasibility": {"finding": "符合"}}}


@pytest.mark.parametrize("status, extra, reason, todo", [
    (None, {}, "这件事还没有向镇党委报备（决策前论证备案）",
     "请把合法性、可行性论证，与利益关联方协商的情况，决策方案（复杂的须有多个方案）和社会稳定风险评估报镇党委备案，"
     "镇里同意后才能提交会议"),
    ("已报备", {}, "已报镇党委备案，镇里还没有审核", "请等镇里同意后再提交会议"),
    ("补正", {"asked": "补充与承包户的协商记录"}, "镇里要求补正：补充与承包户的协商记录",
     "请按镇里的意见补充材料后重新报备"),
    ("不同意", {"reasons": "占用基本农田，不合法"}, "镇里不同意：占用基本农田，不合法",
     "经论证不合法、不可行或容易引发严重社会矛盾的，不能提交决策；请修改方案，重新论证后再报备"),
])
def test_nothing_goes_to_a_meeting_before_the_town_accepts_the_filing(status, extra, reason, todo):
    gate = filing_gate(status, assessment=LOW, rules=RISK, **extra)
    assert (gate.allowed, gate.reason, gate.what_to_do) == (False, reason, todo)
    assert gate.message == f"{reason}。{todo}"
    assert gate.source.startswith("新集镇意见“建立决策前论证备案制度”")


def test_accepted_filing_with_a_low_risk_assessment_and_measures_is_allowed():
    assert filing_gate("同意", assessment=LOW, rules=RISK).allowed
    assert filing_gate("同意", assessment={**LOW, "status": "implement"}, rules=RISK).allowed


def test_a_matter_that_needs_an_assessment_cannot_pass_without_one():
    gate = filing_gate("同意", assessment=None, rules=RISK)
    assert gate.reason == "这件事须做社会稳定风险评估（应评尽评），还没有评估"
    assert filing_gate("同意", needs_assessment=False, rules=RISK).allowed


@pytest.mark.parametrize("assessment, reason", [
    ({"status": "graded", "grade": "低"}, "社会稳定风险评估还没有完成（现在：已确定风险等级）"),
    ({"status": "deferred"}, "社会稳定风险评估已决定暂缓实施"),
    ({"status": "rejected"}, "社会稳定风险评估已决定不实施"),
])
def test_an_unfinished_or_stopped_assessment_blocks(assessment, reason):
    gate = filing_gate("同意", assessment=assessment, rules=RISK)
    assert not gate.allowed and gate.reason == reason


@pytest.mark.parametrize("assessment, words", [
    ({**LOW, "grade": "中"}, "风险等级为中"),
    ({**LOW, "measures": []}, "低风险事项须有防范化解措施才能实施"),
    ({**LOW, "analysis": {"legality": {"finding": "不符合"}}}, "评估认定合法性不符合要求"),
])
def test_the_risk_workflows_own_gate_blocks_in_its_own_words(assessment, words):
    gate = filing_gate("同意", assessment=assessment, rules=RISK)
    own = proceed_gate(assessment["grade"], assessment["measures"], assessment["analysis"], RISK)
    assert not gate.allowed and gate.reason == own.message and words in gate.reason
    assert gate.message == gate.reason                     # its advice is not repeated


def test_unknown_status_is_refused():
    assert not filing_gate("批准", assessment=LOW, rules=RISK).allowed


def test_what_a_filing_still_lacks():
    assert filing_missing({}, needs_assessment=True) == [
        "合法性论证", "可行性论证", "与利益关联方协商的情况", "决策方案", "社会稳定风险评估"]
    complete = {"legality": "符合土地管理法", "feasibility": "资金已落实", "consultation": "已与12户协商",
                "options": ["方案一"], "assessment": "risk-1"}
    assert filing_missing(complete, needs_assessment=True) == []
    assert filing_missing({**complete, "complex": True}, needs_assessment=True) == [
        "多个备选方案（较复杂的问题须拿出多种方案进行选择）"]
    assert filing_missing({**complete, "assessment": None}, needs_assessment=False) == []
