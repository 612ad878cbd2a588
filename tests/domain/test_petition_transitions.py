"""Petition (信访) workflow: each step, who may make it, and the refusal users see.

The logs here are received at a village station (v1: 首问负责) and handled by the town
(t1/t2), the 信访 organ (a 村委会 is not one: 信访工作条例 Art 2); the county (c1/c2)
reviews the town's answers (复查, Art 35) and may hand petitions it receives down (交办).
"""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.petition.checks import check_group
from app.domain.petition.clocks import request_window
from app.domain.petition.flow import EVENT_TYPES, check_transition
from app.domain.petition.rules import PetitionRules
from app.domain.petition.state import PetitionState
from app.domain.shared.workdays import WorkCalendar
from tests.domain.test_dispute_builders import LEVELS, petition_log

ACCEPT = ("petition.accepted", "t1", {})
ANSWER = ("petition.answered", "t1", {})
APPEALED = ("petition.appealed", "c1", {})


def _log(*steps, origin="v1", record="pet-1", **registered):
    log = petition_log(record)
    log.add("petition.registered", origin, **registered)
    for kind, by, extra in steps:
        log.add(kind, by, **extra)
    return log


def _county_appeal(**extra):
    """A 复查 request registered at the county against the town answer pet-1."""
    return dict(stage="复查", appeal_of={"record": "pet-1", "stage": "处理", "level": "town",
                                         "delivered_on": "2026-04-02"},
                received_at="2026-04-10T10:00", first_time=False, **extra)


def test_a_petition_received_at_a_village_is_handled_by_the_town():
    state = _log().state()
    assert (state.status, state.level, state.received_level, state.stage) == (
        "registered", "town", "village", "处理")
    assert state.first_officer["name"] == "陈接访"
    assert state.received_on == date(2026, 3, 2) and state.first_time
    assert state.steps[0].what == "登记来访：申诉求决（初信初访），由镇党委政府（信访工作站）受理办理"


def test_a_village_cannot_accept_refuse_or_answer_it():
    log = _log()
    verdict = check_transition(log.state(), log.event("petition.accepted", "v1"), "village")
    assert (verdict.ok, verdict.code) == (False, "not_an_organ")
    assert verdict.message == ("村委会不是信访工作机构（信访工作条例第二条），村里登记的信访事项由"
                               "镇党委政府（信访工作站）受理；村里可以帮助群众、登记跟进情况")


# (steps before, event, origin, extra, status after)
VALID = [
    ([], "petition.accepted", "t1", {}, "accepted"),
    ([], "petition.refused", "t1", {}, "refused"),
    ([], "petition.transferred", "t2", {}, "transferred"),
    ([ACCEPT], "petition.extended", "t1", {}, "accepted"),
    ([ACCEPT], "petition.hearing_started", "t1", {}, "accepted"),
    ([ACCEPT], "petition.hearing_held", "t1", {}, "accepted"),
    ([ACCEPT], "petition.answered", "t1", {}, "answered"),
    ([ACCEPT, ANSWER], "petition.appealed", "c1", {}, "appealed"),
    ([ACCEPT, ANSWER, APPEALED], "petition.reviewed", "c2", {}, "reviewed"),
    ([ACCEPT, ANSWER], "petition.terminated", "t1", {}, "terminated"),
    ([ACCEPT, ANSWER], "petition.termination_heard", "t1", {}, "answered"),
    ([ACCEPT, ANSWER, ("petition.terminated", "t1", {})], "petition.termination_heard", "c1",
     {"consequence": "问责", "accountable_unit": "西李村村委会"}, "terminated"),
    ([ACCEPT, ANSWER, ("petition.terminated", "t1", {})], "petition.follow_up_assigned", "t1", {},
     "terminated"),
    ([ACCEPT, ANSWER, ("petition.terminated", "t1", {})], "petition.followed_up", "v2", {},
     "terminated"),
    ([ACCEPT], "petition.leader_assigned", "t1", {}, "accepted"),
    ([], "petition.leader_received", "c1", {}, "registered"),
    ([ACCEPT, ANSWER], "petition.rated", "v1", {}, "answered"),
]


@pytest.mark.parametrize("before, kind, origin, extra, status", VALID)
def test_valid_step_is_applied(before, kind, origin, extra, status):
    log = _log(*before)
    event = log.event(kind, origin, **extra)
    assert check_transition(log.state(), event, LEVELS[origin]).ok
    log.events.append(event)
    state = log.state()
    assert state.rejected == ()
    assert state.status == status
    assert state.steps[-1].event_id == event["id"]


def test_every_event_type_has_a_valid_case():
    covered = {row[1] for row in VALID} | {"petition.registered"}
    covered |= {"petition.assigned", "petition.referred_up"}  # county-only: tested below
    assert covered == set(EVENT_TYPES)


INVALID = [
    ([], "petition.registered", "v1", {}, "duplicate", "这件信访事项已经登记，不能重复登记"),
    ([], "petition.answered", "t1", {}, "not_accepted", "请先决定是否受理并书面告知信访人"),
    ([], "petition.accepted", "c1", {}, "wrong_level",
     "这件信访事项由镇党委政府（信访工作站）办理，县里不能受理"),
    ([], "petition.accepted", "t1", {"notice_on": ""}, "missing_notice", "受理须书面告知信访人，请填写告知日期"),
    ([], "petition.refused", "t1", {"where_to_go": ""}, "missing_where",
     "不予受理须告知信访人向哪里反映，请填写"),
    ([], "petition.transferred", "t1", {"notice_on": None}, "missing_notice",
     "转送须告知信访人转送去向，请填写告知日期"),
    ([], "petition.accepted", "t1", {"on": "2026-03-01"}, "bad_date",
     "日期不能早于收到信访事项的日期 2026-03-02"),
    ([], "petition.assigned", "t1", {}, "wrong_level", "只有县里可以交办镇里，镇里不能"),
    ([ACCEPT], "petition.extended", "t1", {"days": 31}, "too_long",
     "延长期限合计不得超过30日（信访工作条例第三十四条），这次最多还能延长30日"),
    ([ACCEPT], "petition.extended", "t1", {"approver": {"name": ""}}, "missing_approver",
     "延期须经本机关负责人批准，请填写批准人"),
    ([ACCEPT], "petition.extended", "t1", {"told_on": ""}, "missing_notice",
     "延期须告知信访人延期理由，请填写告知日期"),
    ([ACCEPT, ("petition.extended", "t1", {"days": 10})], "petition.extended", "t1", {"days": 10},
     "extended_once", "办理期限按规定只能延长一次，已经延长过；请在延长后的期限内办结"),
    ([ACCEPT, ("petition.hearing_started", "t1", {})], "petition.answered", "t1", {}, "hearing_open",
     "听证还没有结束，请先登记听证结果，再出具意见"),
    ([ACCEPT, ("petition.hearing_started", "t1", {})], "petition.hearing_started", "t1", {},
     "hearing_open", "已有一次听证还没有结束，请先登记该听证结果"),
    ([ACCEPT], "petition.hearing_held", "t1", {"to": "2026-03-19"}, "bad_date", "听证结束日期不能早于开始日期"),
    ([ACCEPT], "petition.answered", "t1", {"delivered_on": ""}, "missing_delivery",
     "请填写书面答复送达信访人的日期（复查、复核请求期限从这天起算）"),
    ([ACCEPT], "petition.answered", "t1", {"delivered_on": "2026-03-31"}, "bad_date",
     "送达日期不能早于出具意见的日期"),
    ([ACCEPT, ANSWER], "petition.appealed", "t2", {}, "wrong_level",
     "对镇党委政府（信访工作站）答复的复查、复核由上一级（县信访部门）办理，镇里不能登记复查/复核请求"),
    ([ACCEPT, ANSWER], "petition.appealed", "c1", {"stage": "复核"}, "bad_stage", "对处理意见只能请求复查"),
    ([ACCEPT, ANSWER, APPEALED], "petition.appealed", "c1", {}, "in_handling",
     "信访人已对这一答复请求复查，同一事项不再重复受理"),
    ([ACCEPT, ANSWER], "petition.terminated", "t1", {"basis": "复核意见已送达"}, "bad_basis",
     "这件信访事项是处理阶段的答复，终结依据不能选“复核意见已送达”"),
    ([ACCEPT, ANSWER], "petition.terminated", "t1", {"follow_up": {"name": " "}}, "missing_follow_up",
     "依法终结的信访事项须明确跟进责任人（有人管、管得住），请填写"),
    ([ACCEPT, ANSWER], "petition.termination_heard", "v1", {}, "wrong_level",
     "只有镇里、县里可以登记终结听证，村里不能"),
    ([ACCEPT, ANSWER], "petition.termination_heard", "t1", {"consequence": "问责"}, "missing_unit",
     "请填写被问责的办理单位（案结事不了的责任单位）"),
    ([ACCEPT, ANSWER], "petition.termination_heard", "t1", {"consequence": "批评"}, "bad_consequence",
     "请选择听证后的处理：问责（办理单位有过错）或依法处理（诉求不合理）"),
    ([ACCEPT, ANSWER, ("petition.terminated", "t1", {})], "petition.appealed", "c1", {}, "closed",
     "这件信访事项已依法终结，同一事实和理由不再受理"),
    ([ACCEPT], "petition.leader_assigned", "v1", {}, "wrong_level",
     "只有镇里、县里可以指定包案领导，村里不能"),
    ([ACCEPT], "petition.leader_assigned", "t1", {"leader": {"name": "周副镇长"}}, "missing_leader",
     "请填写包案领导的职务"),
    ([ACCEPT], "petition.leader_received", "t1", {"note": ""}, "missing_note",
     "请填写接访情况（群众反映了什么、领导怎么答复）"),
    ([ACCEPT], "petition.rated", "v1", {}, "wrong_status", "这件信访事项已受理、正在办理，不能登记评价"),
    ([ACCEPT, ANSWER, ("petition.rated", "v1", {})], "petition.rated", "t1", {}, "already_rated",
     "信访人已评价为“满意”，不能重复评价"),
    ([ACCEPT, ANSWER], "petition.rated", "t1", {"level": "不满意", "dissatisfied": True},
     "missing_reason", "评价为“不满意”时必须填写原因"),
]


@pytest.mark.parametrize("before, kind, origin, extra, code, message", INVALID)
def test_invalid_step_is_refused_with_a_chinese_reason(before, kind, origin, extra, code, message):
    log = _log(*before)
    event = log.event(kind, origin, **extra)
    verdict = check_transition(log.state(), event, LEVELS[origin])
    assert (verdict.ok, verdict.code, verdict.message) == (False, code, message)
    log.events.append(event)
    assert log.state().rejected[-1].reason == message


def test_a_complaint_against_cadres_cannot_be_registered_as_an_ordinary_petition():
    log = petition_log()
    event = log.event("petition.registered", "v1", category="检举控告")
    verdict = check_transition(PetitionState("pet-1"), event, "village")
    assert verdict.code == "sealed_category"
    assert verdict.message.startswith("检举控告类事项不能按普通信访登记：请用“检举控告”登记，内容密封后转纪检监察机关")


# ---------------------------------------------------------------- Art 18: visits only

def test_group_visit_with_five_representatives_is_recorded():
    log = _log(group={"size": 40, "representatives": ["甲", "乙", "丙", "丁", "戊"]})
    assert log.state().group["size"] == 40


def test_group_visit_with_six_representatives_is_refused_citing_article_18():
    group = {"size": 40, "representatives": ["甲", "乙", "丙", "丁", "戊", "己"]}
    verdict = check_group(group, "来访")
    assert verdict.code == "too_many_representatives"
    assert verdict.message == ("多人走访反映共同事项，代表人数不得超过5人（信访工作条例第十八条），"
                               "现有6人；请群众推选5名以内的代表，其余人员请在场外等候")
    log = _log(group=group)
    assert log.state().status == "new" and log.state().rejected[0].code == "too_many_representatives"


@pytest.mark.parametrize("channel", ["来信", "网上", "电话"])
def test_a_joint_letter_or_online_petition_names_any_number_of_contacts(channel):
    # Art 18 ¶2 caps the representatives of a *visit*; issue #10 item 9.
    group = {"size": 86, "representatives": ["甲", "乙", "丙", "丁", "戊", "己", "庚"]}
    assert check_group(group, channel).ok
    log = _log(channel=channel, group=group)
    assert log.state().rejected == () and log.state().group["size"] == 86


def test_group_visit_needs_representatives_and_the_cap_comes_from_the_rules():
    assert check_group({"size": 12}, "来访").code == "missing_representatives"
    assert check_group({"size": 12}, "来信").ok  # a joint letter elects nobody
    three = PetitionRules(group_visit_max_representatives=3)
    assert check_group({"size": 9, "representatives": ["甲", "乙", "丙", "丁"]}, "来访", three).message \
        .startswith("多人走访反映共同事项，代表人数不得超过3人")


# ---------------------------------------------------------------- proposals at intake

def test_proposed_refusal_needs_a_reason_to_be_overridden_and_the_reason_is_kept():
    proposal = {"ground": "in_handling", "label": "同一事项已经受理或正在办理",
                "where_to_go": "请等待镇党委政府（信访工作站）的办理结果"}
    log = _log(origin="c1", proposal=proposal)
    event = log.event("petition.accepted", "c1")
    verdict = check_transition(log.state(), event, "county")
    assert verdict.code == "override_needs_reason"
    assert verdict.message == ("系统提示本事项可能不予受理（同一事项已经受理或正在办理）；"
                               "如仍要受理，请写明受理理由，理由将记录在案")
    log.add("petition.accepted", "c1", override_reason="镇里办理超期，县里直接受理")
    state = log.state()
    assert state.override == "镇里办理超期，县里直接受理"
    assert state.steps[-1].what == ("受理，2026-03-05书面告知信访人（未采纳“同一事项已经受理或正在办理”的提示："
                                    "镇里办理超期，县里直接受理）")


def test_confirming_a_proposed_refusal_is_recorded_as_confirmed():
    proposal = {"ground": "in_handling", "label": "同一事项已经受理或正在办理", "where_to_go": "镇里"}
    log = _log(("petition.refused", "c1", {"ground": "in_handling",
                                           "ground_label": "同一事项已经受理或正在办理",
                                           "reason": "镇里正在办理", "where_to_go": "请等待镇里答复"}),
               origin="c1", proposal=proposal)
    state = log.state()
    assert state.status == "refused" and state.decision["confirmed"] is True
    assert state.steps[-1].what.startswith("确认系统提示，不予受理（同一事项已经受理或正在办理）")


# ---------------------------------------------------------------- Art 34: extension in total

def test_extensions_are_capped_in_total_not_each():
    # A town allowing two extensions still has 30 days in all (issue #10 item 3).
    twice = PetitionRules(extension_max_count=2)
    log = petition_log("pet-1", rules=twice)
    log.add("petition.registered", "v1")
    log.add("petition.accepted", "t1")
    log.add("petition.extended", "t1", days=20)
    event = log.event("petition.extended", "t1", days=20)
    verdict = check_transition(log.state(), event, "town", twice)
    assert verdict.code == "too_long"
    assert verdict.message == ("延长期限合计不得超过30日（信访工作条例第三十四条），已经延长20日，"
                               "这次最多还能延长10日")
    assert check_transition(log.state(), log.event("petition.extended", "t1", days=10), "town",
                            twice).ok
    log.events.append(event)
    assert log.state().extension_days == 20 and log.state().rejected[0].code == "too_long"


def test_review_stages_cannot_be_extended():
    log = _log(("petition.accepted", "c1", {"on": "2026-04-11", "notice_on": "2026-04-11"}),
               origin="c1", record="pet-up", **_county_appeal())
    event = log.event("petition.extended", "c1")
    verdict = check_transition(log.state(), event, "county")
    assert verdict.code == "no_extension"
    assert verdict.message == "复查意见应在收到请求之日起30日内提出，不能延期（信访工作条例第三十五、三十六条）"


# ---------------------------------------------------------------- 复查, and above the county

def test_a_review_request_must_name_the_answer_it_contests():
    log = petition_log("pet-up")
    event = log.event("petition.registered", "c1", stage="复查")
    assert check_transition(PetitionState("pet-up"), event, "county").message == "请求复查的，请选择被请求复查的原答复"
    event = log.event("petition.registered", "c1", stage="复核",
                      appeal_of={"record": "pet-1", "stage": "处理", "level": "town"})
    assert check_transition(PetitionState("pet-up"), event, "county").message == "对处理意见不能请求复核"


def test_appeal_and_review_flow_back_to_the_lower_record():
    lower = _log(ACCEPT, ANSWER, APPEALED, ("petition.reviewed", "c2", {}))
    state = lower.state()
    assert state.appeals == ({"stage": "复查", "record": "pet-up", "on": "2026-04-10", "level": "county"},)
    assert state.review["result"] == "维持" and state.review["level"] == "county"
    assert [s.what for s in state.steps[-2:]] == ["信访人向上一级请求复查", "上一级复查结论：维持原意见"]
    upper = _log(origin="c1", record="pet-up", **_county_appeal())
    assert upper.state().appeal_of["record"] == "pet-1"
    assert (upper.state().stage, upper.state().level) == ("复查", "county")


def _county_review(*steps):
    """The county's 复查 of pet-1, answered on 2026-05-08 and delivered on the 9th."""
    return _log(("petition.accepted", "c1", {"on": "2026-04-11", "notice_on": "2026-04-11"}),
                ("petition.answered", "c1", {"on": "2026-05-08", "delivered_on": "2026-05-09"}),
                *steps, origin="c1", record="pet-up", **_county_appeal())


def test_the_re_review_above_the_county_is_recorded_and_sent_not_refused():
    # 复核 lies with the city (Art 36): outside the system, recorded on the county's 复查.
    log = _county_review()
    assert check_transition(log.state(), log.event("petition.appealed", "c1", stage="复核"),
                            "county").message == ("县级答复的复查、复核由市级机关办理：请在县里的原答复上"
                                                  "登记“向上级请求复查/复核”，写明转往何处")
    log.add("petition.referred_up", "c1", stage="复核", to="市人民政府信访局", requested_on="2026-05-20",
            on="2026-05-20")
    state = log.state()
    assert state.rejected == () and state.status == "appealed" and state.appeal_outside
    assert state.status_name == "信访人已请求上级复核（已告知/转往市人民政府信访局）"
    assert state.steps[-1].what == "信访人2026-05-20请求复核，已告知/转往市人民政府信访局"
    # the town cannot record it: only the county holds the 复查
    town = check_transition(state, log.event("petition.reviewed", "t1", stage="复核", by="市信访局"),
                            "town")
    assert town.code == "wrong_level"
    # the city's conclusion, once known, is recorded by the county; then 不再受理 is lawful
    assert check_transition(state, log.event("petition.reviewed", "c1", stage="复核"), "county") \
        .message == "请填写作出复查、复核结论的上级机关"
    log.add("petition.reviewed", "c1", stage="复核", by="市人民政府信访局", result="维持",
            opinion="维持县复查意见", on="2026-06-18")
    log.add("petition.terminated", "c1", basis="复核意见已送达", on="2026-06-20")
    state = log.state()
    assert state.rejected == () and state.status == "terminated"


def test_a_referral_up_names_where_it_went_and_when_it_was_asked():
    log = _county_review()
    for extra, code in (({"to": ""}, "missing_to"), ({"requested_on": "昨天"}, "bad_date"),
                        ({"stage": "复查"}, "bad_stage")):
        fields = {"stage": "复核", "requested_on": "2026-05-20", **extra}
        event = log.event("petition.referred_up", "c1", **fields)
        assert check_transition(log.state(), event, "county").code == code


def test_a_county_first_answer_goes_to_the_city_for_review():
    log = _log(("petition.accepted", "c1", {}), ("petition.answered", "c1", {}), origin="c1",
               record="pet-c")
    log.add("petition.referred_up", "c1", stage="复查", to="市信访局", requested_on="2026-04-20",
            on="2026-04-20")
    assert log.state().rejected == () and log.state().appeals[-1]["outside"] is True


def test_termination_before_a_real_re_review_is_refused():
    # "不再受理" only after 复核 has happened: the county's own 复查 is no 复核.
    log = _county_review()
    event = log.event("petition.terminated", "c1", basis="复核意见已送达", on="2026-06-20")
    verdict = check_transition(log.state(), event, "county")
    assert verdict.code == "bad_basis"


# ---------------------------------------------------------------- 交办 (county → town)

def test_county_hands_a_petition_down_to_the_town_which_then_handles_it():
    log = _log(origin="c1", received_at="2026-03-02T10:00")
    assert check_transition(log.state(), log.event("petition.assigned", "c1", to=""), "county") \
        .code == "missing_to"
    log.add("petition.assigned", "c1")
    state = log.state()
    assert (state.level, state.status, state.assigned["to"]) == ("town", "registered", "新集镇")
    assert state.clock_start == date(2026, 3, 5)  # the town's 15 days run from the hand-down
    assert state.steps[-1].what == "交办新集镇办理，2026-03-05已告知信访人"
    assert check_transition(state, log.event("petition.accepted", "c1"), "county").code == "wrong_level"
    log.add("petition.accepted", "t1", on="2026-03-06", notice_on="2026-03-06")
    log.add("petition.answered", "t1")
    assert log.state().rejected == () and log.state().status == "answered"


# ---------------------------------------------------------------- 依法终结: windows (item 1)

def test_termination_for_no_review_request_waits_for_the_window_to_end():
    # Answer delivered 2026-04-02; 30 days end on 05-02, a Saturday in the 劳动节 holiday
    # (2026-05-01..05): the window runs to Wednesday 05-06 (民法典 Art 203).
    log = _log(ACCEPT, ANSWER)
    early = log.event("petition.terminated", "t1", on="2026-04-03")
    verdict = check_transition(log.state(), early, "town")
    assert verdict.code == "window_open"
    assert verdict.message == ("信访人请求复查的期限到2026-05-06才届满，期满前不能以“逾期未请求复查”依法终结"
                               "（信访工作条例第三十五、三十六条）；请在2026-05-07以后再登记")
    log.events.append(early)
    state = log.state()
    assert state.status == "answered" and state.rejected[-1].code == "window_open"
    # so a 复查 request in time on 04-10 is still taken up by the county
    log.add("petition.appealed", "c1")
    assert log.state().status == "appealed"
    late = _log(ACCEPT, ANSWER)
    assert check_transition(late.state(), late.event("petition.terminated", "t1", on="2026-05-06"),
                            "town").code == "window_open"
    assert check_transition(late.state(), late.event("petition.terminated", "t1", on="2026-05-07"),
                            "town").ok


def test_termination_in_a_provisional_year_waits_for_the_latest_possible_end():
    # Delivered 2026-12-02: day 30 is 2027-01-01 (元旦).  Without 2027's notice the end is
    # 01-04 (Mon) as far as is known; a notice can give 01-02..01-03 and nothing later, so
    # the latest end is 01-04 too, and termination may be recorded from 01-05.
    answered = {"on": "2026-12-01", "delivered_on": "2026-12-02"}
    log = _log(("petition.accepted", "t1", {"on": "2026-11-20", "notice_on": "2026-11-20"}),
               ("petition.answered", "t1", answered), received_at="2026-11-18T09:00")
    rules = PetitionRules(calendar=WorkCalendar())
    on_end = log.event("petition.terminated", "t1", on="2027-01-04")
    assert check_transition(log.state(), on_end, "town", rules).code == "window_open"
    assert check_transition(log.state(), log.event("petition.terminated", "t1", on="2027-01-05"),
                            "town", rules).ok


# ---------------------------------------------------------------- 建议意见 (item 7)

def test_a_suggestion_is_answered_as_adopted_or_not_and_is_not_reviewed():
    log = _log(category="建议意见")
    log.add("petition.accepted", "t1")
    assert check_transition(log.state(), log.event("petition.extended", "t1"), "town").code == \
        "no_extension"
    wrong = log.event("petition.answered", "t1")
    assert check_transition(log.state(), wrong, "town").message == \
        "请选择处理结果：采纳、部分采纳、不予采纳、解释说明"
    log.add("petition.answered", "t1", result="部分采纳")
    state = log.state()
    assert state.rejected == () and state.status == "answered"
    appeal = check_transition(state, log.event("petition.appealed", "c1"), "county")
    assert (appeal.code, appeal.message) == (
        "not_appealable", "建议意见类事项的答复不适用复查、复核（信访工作条例第三十一、三十五条）")
    assert check_transition(state, log.event("petition.terminated", "t1"), "town").code == "bad_basis"


# ---------------------------------------------------------------- 包案, 接访, 评价

def test_leaders_take_a_petition_and_receive_the_petitioner():
    log = _log(ACCEPT, ("petition.leader_assigned", "t1", {}), ("petition.leader_received", "c1", {}),
               ("petition.leader_assigned", "c1", {"leader": {"name": "吴副县长", "post": "副县长"}}))
    state = log.state()
    assert state.rejected == ()
    assert state.leader["name"] == "吴副县长" and len(state.leaders) == 2
    assert state.receptions[0]["outcome"] == "约定3月17日现场丈量"
    assert [s.what for s in state.steps[2:]] == [
        "周副镇长（政法委员）包案", "周副镇长接访：刘桂芳反映承包地界，周副镇长答应一周内到现场",
        "吴副县长（副县长）包案"]


def test_the_petitioner_rates_the_answer_once():
    log = _log(ACCEPT, ANSWER, ("petition.rated", "v1", {"level": "不满意", "dissatisfied": True,
                                                         "reason": "丈量结果没有写明依据"}))
    state = log.state()
    assert state.rating == {"level": "不满意", "dissatisfied": True, "reason": "丈量结果没有写明依据",
                            "on": "2026-04-05", "how": "电话"}
    assert state.steps[-1].what == "信访人评价：不满意：丈量结果没有写明依据"


# ---------------------------------------------------------------- the rest

def test_termination_keeps_a_named_follow_up_person_who_can_be_changed():
    log = _log(ACCEPT, ANSWER, ("petition.terminated", "t1", {}),
               ("petition.termination_heard", "c1", {}), ("petition.follow_up_assigned", "t1", {}),
               ("petition.followed_up", "v1", {}))
    state = log.state()
    assert state.rejected == ()
    assert state.status == "terminated" and state.status_name == "已依法终结"
    assert state.follow_up_person == {"name": "马包村干部"}
    hearing = state.termination_hearings[0]
    assert (hearing["consequence"], hearing["organiser"]) == ("依法处理", "县矛盾纠纷调处中心")
    assert state.follow_ups[0]["note"] == "上门走访，情绪稳定"
    assert [s.what for s in state.steps[3:]] == [
        "依法终结（逾期未请求复查），跟进责任人陈接访",
        "终结听证：诉求缺乏事实依据；处理：依法处理",
        "跟进责任人改为马包村干部",
        "马包村干部跟进：上门走访，情绪稳定",
    ]


def test_hearing_records_panel_participants_and_conclusion():
    log = _log(ACCEPT, ("petition.hearing_started", "t1", {}), ("petition.hearing_held", "t1", {}))
    hearing = log.state().hearings[0]
    assert (hearing.start, hearing.end) == (date(2026, 3, 20), date(2026, 3, 22))
    assert hearing.panel == ("赵听证", "钱听证", "孙听证") and log.state().open_hearing is None


def test_concurrent_extensions_keep_one_and_reject_the_other():
    log = _log(ACCEPT)
    log.add("petition.extended", "t1", hlc=9000, days=20)
    log.add("petition.extended", "t2", hlc=9000, days=30)
    state = log.state()
    assert state.extension_days == 20
    assert state.rejected[0].code == "extended_once"


def test_no_re_review_request_is_judged_on_its_own_30_days():
    # The county's 复查 was delivered on 2026-05-09: the petitioner may ask the city for
    # 复核 until 06-08 (Art 36, petition.re_review_request_days); only after that may the
    # county close it as 逾期未请求复核.
    log = _county_review()
    window = request_window(log.state(), date(2026, 5, 20), WorkCalendar())
    assert (window.name, window.due) == ("信访人可请求复核", date(2026, 6, 8))
    shorter = PetitionRules(re_review_request_days=20, calendar=WorkCalendar())
    assert request_window(log.state(), date(2026, 5, 20), WorkCalendar(), shorter).due == \
        date(2026, 5, 29)
    early = log.event("petition.terminated", "c1", basis="逾期未请求复核", on="2026-06-08")
    assert check_transition(log.state(), early, "county").code == "window_open"
    late = log.event("petition.terminated", "c1", basis="逾期未请求复核", on="2026-06-09")
    assert check_transition(log.state(), late, "county").ok


def test_the_30_day_re_review_window_to_the_day():
    # 复查 delivered Tuesday 2026-06-02: day 30 is Thursday 07-02, the last day to ask for
    # 复核 (not 29 days: that would end on Wednesday 07-01).
    log = _log(("petition.accepted", "c1", {"on": "2026-04-11", "notice_on": "2026-04-11"}),
               ("petition.answered", "c1", {"on": "2026-06-01", "delivered_on": "2026-06-02"}),
               origin="c1", record="pet-up2", **_county_appeal())
    assert request_window(log.state(), date(2026, 6, 20), WorkCalendar()).due == date(2026, 7, 2)
    on_last_day = log.event("petition.terminated", "c1", basis="逾期未请求复核", on="2026-07-02")
    assert check_transition(log.state(), on_last_day, "county").code == "window_open"
