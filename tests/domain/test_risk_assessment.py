"""社会稳定风险评估: step order, grading, and the gate on the collective decision."""
from __future__ import annotations

import pytest

from app.domain.risk.flow import EVENT_TYPES, check_transition, report_sections
from app.domain.risk.grading import RiskRules, Tally, proceed_gate, suggest_grade
from tests.domain.test_dispute_builders import LEVELS, risk_log

FULL = ["risk.planned", "risk.opinions_gathered", "risk.analysed", "risk.graded", "risk.reported"]


def _log(upto=FULL, origin="v1", rules=RiskRules(), **overrides):
    log = risk_log(rules=rules)
    for kind in upto:
        log.add(kind, origin, **overrides.get(kind, {}))
    return log


def test_full_workflow_to_implementation():
    log = _log()
    log.add("risk.decided", "v1")
    state = log.state()
    assert state.rejected == ()
    assert (state.status, state.status_name, state.grade) == ("implement", "决定实施", "低")
    assert state.measures == ("租金每三年按市场价调整", "设立意见箱并专人回复")
    assert [s.what for s in state.steps] == [
        "制定评估方案：东王村集体土地流转给合作社", "问卷征求意见（200人）",
        "完成合法性、合理性、可行性、可控性分析", "确定为低风险", "形成评估报告（东王稳评〔2026〕1号）",
        "村两委会议集体讨论决定：实施"]
    assert set(EVENT_TYPES) == {s.event_type for s in state.steps}


@pytest.mark.parametrize("done, kind, message", [
    ([], "risk.opinions_gathered", "请先制定评估方案"),
    (FULL[:1], "risk.analysed", "请先征求群众意见（公示、问卷、走访、座谈或听证），再分析论证"),
    (FULL[:2], "risk.graded", "请先对合法性、合理性、可行性、可控性进行分析论证，再确定风险等级"),
    (FULL[:3], "risk.reported", "请先确定风险等级，再形成评估报告"),
    (FULL[:4], "risk.decided", "请先形成评估报告，再提交集体讨论决定"),
])
def test_steps_must_come_in_order(done, kind, message):
    log = _log(done)
    event = log.event(kind, "v1")
    state = log.state() if done else None
    if state is None:
        from app.domain.risk.flow import Assessment
        state = Assessment("risk-1")
    assert check_transition(state, event, "village").message == message


@pytest.mark.parametrize("grade, object_counts", [("高", (200, 150, 90)), ("中", (200, 60, 20))])
def test_high_and_medium_risk_may_not_proceed(grade, object_counts):
    participants, objecting, strong = object_counts
    log = _log(**{"risk.opinions_gathered": dict(participants=participants, objecting=objecting,
                                                 strongly_objecting=strong),
                  "risk.graded": dict(grade=grade, reasons="群众反对较多")})
    event = log.event("risk.decided", "v1")
    verdict = check_transition(log.state(), event, "village")
    assert verdict.code == "gate"
    assert verdict.message == (f"风险等级为{grade}，按规定只能决定暂缓实施或不实施（可实施的等级：低；"
                               "发改投资〔2012〕2492号第八条：高风险、中风险不实施，低风险有防控措施的可以实施）；"
                               "落实化解措施后可重新评估")
    log.events.append(event)
    assert log.state().status == "reported" and log.state().rejected[0].code == "gate"
    log.add("risk.decided", "v1", decision="暂缓实施")
    assert log.state().status == "deferred"


def test_low_risk_without_control_measures_may_not_proceed():
    log = _log(**{"risk.graded": dict(measures=[" "])})
    verdict = check_transition(log.state(), log.event("risk.decided", "v1"), "village")
    assert verdict.message == "低风险事项须有防范化解措施才能实施，请先在风险等级中写明防控措施"
    relaxed = RiskRules(low_requires_measures=False)
    assert check_transition(log.state(), log.event("risk.decided", "v1"), "village", relaxed).ok


def test_the_gate_follows_the_rules_in_force():
    # A town may only make it stricter (legal bound, test_legal_bounds): no grade at all.
    rules = RiskRules(proceed_allowed_grades=())
    log = _log(rules=rules)
    log.add("risk.decided", "v1")
    assert log.state().status == "reported" and log.state().rejected[0].code == "gate"


def test_illegal_or_infeasible_may_not_proceed_whatever_the_grade():
    log = _log(**{"risk.analysed": dict(legality={"finding": "不符合", "note": "未经村民会议同意"})})
    verdict = check_transition(log.state(), log.event("risk.decided", "v1"), "village")
    assert verdict.message == ("评估认定合法性不符合要求，不得提交决策实施（新集镇意见二（一）：经论证不合法、"
                               "不可行或容易引发严重社会矛盾的，不能提交进行决策）；请修改方案后重新评估")


def test_uncontrollable_risk_may_not_proceed_even_graded_low():
    # Issue #10 item 8: 可控性 不符合 = 容易引发严重社会矛盾 (the seed's 决策前论证备案制度).
    log = _log(**{"risk.analysed": dict(controllability={"finding": "不符合",
                                                         "note": "外出户意见无法沟通，可能聚集上访"})})
    verdict = check_transition(log.state(), log.event("risk.decided", "v1"), "village")
    assert (verdict.code, verdict.message) == ("gate", (
        "评估认定可控性不符合要求，不得提交决策实施（新集镇意见二（一）：经论证不合法、不可行或容易引发"
        "严重社会矛盾的，不能提交进行决策）；请修改方案后重新评估"))
    assert check_transition(log.state(), log.event("risk.decided", "v1", decision="暂缓实施"),
                            "village").ok


def test_a_one_person_collective_decision_is_refused():
    alone = {"name": "村两委会议", "on": "2026-03-25", "attendees": ["王书记"]}
    log = _log()
    verdict = check_transition(log.state(), log.event("risk.decided", "v1", meeting=alone), "village")
    assert (verdict.code, verdict.message) == ("not_collective", (
        "集体讨论决定至少要有3人参加，现在只登记了1人（王书记）；请把参会人员都写上，或召开会议集体讨论后再登记"))
    twice = dict(alone, attendees=["王书记", "王书记", "李主任"])  # a name twice is one person
    assert check_transition(log.state(), log.event("risk.decided", "v1", meeting=twice),
                            "village").code == "not_collective"


def test_suggested_grade_from_opinion_tallies():
    assert suggest_grade(Tally(200, 101, 10)).grade == "高"
    assert suggest_grade(Tally(200, 100, 10)).grade == "中"
    assert suggest_grade(Tally(200, 30, 11)).grade == "中"   # strong objections above 5 %
    low = suggest_grade(Tally(200, 30, 4))
    assert (low.grade, low.reason) == ("低", "征求意见200人，反对30人，占15%（多数群众理解支持）")
    assert suggest_grade(Tally(0, 0, 0)).grade == "中"


def test_grading_below_the_suggestion_needs_a_reason():
    log = _log(FULL[:3], **{"risk.opinions_gathered": dict(objecting=120, strongly_objecting=40)})
    event = log.event("risk.graded", "v1")
    verdict = check_transition(log.state(), event, "village")
    assert verdict.code == "below_suggestion"
    assert verdict.message.startswith("按征求意见情况建议定为高风险（征求意见200人，反对120人，占60%，超过50%")
    assert verdict.message.endswith("定为低风险须写明理由")
    ok = log.event("risk.graded", "v1", below_suggestion_reason="反对者多为外出人员，已逐户沟通同意")
    assert check_transition(log.state(), ok, "village").ok


def test_new_opinions_after_analysis_require_a_new_analysis():
    log = _log(FULL[:4])
    log.add("risk.opinions_gathered", "v1", method="座谈", participants=20, objecting=2,
            strongly_objecting=0, summary="组长座谈")
    state = log.state()
    assert (state.status, state.analysis, state.grade) == ("gathering", None, None)
    assert len(state.opinions) == 2


def test_deferred_assessment_can_be_reassessed_and_then_implemented():
    log = _log(**{"risk.opinions_gathered": dict(objecting=60, strongly_objecting=20),
                  "risk.graded": dict(grade="中", reasons="部分群众有意见")})
    log.add("risk.decided", "v1", decision="暂缓实施", reason="先落实租金调整机制")
    log.add("risk.opinions_gathered", "v1", on="2026-05-01", participants=200, objecting=10,
            strongly_objecting=0, summary="调整租金后再次问卷")
    state = log.state()
    assert (state.status, state.round, state.decision) == ("gathering", 2, None)
    assert state.steps[-1].what == "暂缓后重新评估，问卷征求意见（200人）"
    for kind in FULL[2:]:
        log.add(kind, "v1")
    log.add("risk.decided", "v1")
    state = log.state()
    assert state.rejected == () and state.status == "implement"
    assert len(state.opinions) == 1  # graded on the new round only
    assert state.earlier_rounds[0]["grade"] == "中"
    assert state.earlier_rounds[0]["decision"]["decision"] == "暂缓实施"


def test_a_final_decision_is_final():
    log = _log()
    log.add("risk.decided", "v1", decision="不实施", reason="群众反对")
    verdict = check_transition(log.state(), log.event("risk.opinions_gathered", "v1"), "village")
    assert verdict.message == "这项评估已决定不实施；不能再更改"


def test_lower_level_cannot_act_on_a_town_assessment_but_the_town_can_on_a_villages():
    town = _log(FULL[:1], origin="t1")
    assert check_transition(town.state(), town.event("risk.opinions_gathered", "v1"), "village").message \
        == "这项评估由上级组织，下级不能登记征求意见"
    village = _log(FULL[:1])
    assert check_transition(village.state(), village.event("risk.opinions_gathered", "t1"), "town").ok


def test_decision_needs_a_collective_meeting():
    log = _log()
    event = log.event("risk.decided", "v1", meeting={"name": "书记办公会", "on": "2026-03-25", "attendees": []})
    assert check_transition(log.state(), event, "village").message == "须经集体讨论决定：请填写会议名称、日期和参会人员"


def test_opinion_counts_must_add_up():
    log = _log(FULL[:1])
    event = log.event("risk.opinions_gathered", "v1", objecting=300)
    assert check_transition(log.state(), event, "village").code == "bad_counts"


def test_report_sections_for_the_pdf():
    sections = dict(report_sections(_log().state()))
    assert list(sections) == ["评估事项", "评估主体", "评估方案", "征求意见情况", "分析论证", "风险等级",
                              "防范化解措施", "评估结论"]
    assert sections["征求意见情况"].startswith("共征求意见200人，反对30人，强烈反对4人。问卷200人：")
    assert sections["风险等级"] == "低风险：多数群众理解支持，少数意见可以化解"
    assert sections["分析论证"].startswith("合法性：符合，符合农村土地承包法流转规定；")


def test_gate_without_a_grade():
    assert proceed_gate(None, [], None).message == "还没有确定风险等级，不能作出实施决定"


def test_unknown_origin_is_rejected():
    log = _log(FULL[:1])
    log.events.append(log.event("risk.opinions_gathered", "zz"))
    assert log.state().rejected[0].code == "unknown_level"
    assert LEVELS["v1"] == "village"


def test_suggestion_thresholds_to_the_share():
    # risk.medium_object_share (20 %) and risk.medium_strong_share (5 %): just above → 中
    assert suggest_grade(Tally(200, 41, 0)).grade == "中"     # 20.5 % object
    assert suggest_grade(Tally(200, 40, 0)).grade == "低"     # exactly 20 %
    assert suggest_grade(Tally(200, 20, 11)).grade == "中"    # 5.5 % strongly
    assert suggest_grade(Tally(200, 20, 10)).grade == "低"    # exactly 5 %


def test_an_unreasonable_but_legal_feasible_controllable_plan_is_the_grades_to_decide():
    # 合理性 不符合 is not among the blocking dimensions by default (the seed names
    # 不合法、不可行、容易引发严重社会矛盾): a low grade with measures may still proceed.
    log = _log(**{"risk.analysed": dict(reasonableness={"finding": "不符合",
                                                        "note": "租金低于邻村"})})
    assert check_transition(log.state(), log.event("risk.decided", "v1"), "village").ok
