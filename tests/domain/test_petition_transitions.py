"""Petition (信访) workflow: each step, who may make it, and the refusal users see."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.petition_rules import PetitionRules
from app.domain.petition_state import PetitionState
from app.domain.petition_transitions import EVENT_TYPES, check_group, check_transition
from tests.domain.test_dispute_builders import LEVELS, petition_log

ACCEPT = ("petition.accepted", "v1", {})
ANSWER = ("petition.answered", "v1", {})


def _log(*steps, origin="v1", record="pet-1", **registered):
    log = petition_log(record)
    log.add("petition.registered", origin, **registered)
    for kind, by, extra in steps:
        log.add(kind, by, **extra)
    return log


def _town_appeal(**extra):
    """A 复查 request registered at the town against the village answer pet-1."""
    return dict(stage="复查", appeal_of={"record": "pet-1", "stage": "处理", "level": "village",
                                         "delivered_on": "2026-04-02"},
                received_at="2026-04-10T10:00", first_time=False, **extra)


def test_registration_keeps_the_first_officer_and_the_first_time_flag():
    state = _log().state()
    assert (state.status, state.level, state.stage) == ("registered", "village", "处理")
    assert state.first_officer["name"] == "陈接访"
    assert state.received_on == date(2026, 3, 2) and state.first_time
    assert state.steps[0].what == "登记来访：申诉求决（初信初访）"


# (steps before, event, origin, extra, status after)
VALID = [
    ([], "petition.accepted", "v1", {}, "accepted"),
    ([], "petition.refused", "v1", {}, "refused"),
    ([], "petition.transferred", "v2", {}, "transferred"),
    ([ACCEPT], "petition.extended", "v1", {}, "accepted"),
    ([ACCEPT], "petition.hearing_started", "v1", {}, "accepted"),
    ([ACCEPT], "petition.hearing_held", "v1", {}, "accepted"),
    ([ACCEPT], "petition.answered", "v1", {}, "answered"),
    ([ACCEPT, ANSWER], "petition.appealed", "t1", {}, "appealed"),
    ([ACCEPT, ANSWER, ("petition.appealed", "t1", {})], "petition.reviewed", "t2", {}, "reviewed"),
    ([ACCEPT, ANSWER], "petition.terminated", "v1", {}, "terminated"),
    ([ACCEPT, ANSWER], "petition.termination_heard", "t1", {}, "answered"),
    ([ACCEPT, ANSWER, ("petition.terminated", "v1", {})], "petition.termination_heard", "c1",
     {"consequence": "问责", "accountable_unit": "西李村村委会"}, "terminated"),
    ([ACCEPT, ANSWER, ("petition.terminated", "v1", {})], "petition.follow_up_assigned", "t1", {},
     "terminated"),
    ([ACCEPT, ANSWER, ("petition.terminated", "v1", {})], "petition.followed_up", "v2", {},
     "terminated"),
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
    assert {row[1] for row in VALID} | {"petition.registered"} == set(EVENT_TYPES)


INVALID = [
    ([], "petition.registered", "v1", {}, "duplicate", "这件信访事项已经登记，不能重复登记"),
    ([], "petition.answered", "v1", {}, "not_accepted", "请先决定是否受理并书面告知信访人"),
    ([], "petition.accepted", "t1", {}, "wrong_level", "这件信访事项由村委会办理，镇里不能受理"),
    ([], "petition.accepted", "v1", {"notice_on": ""}, "missing_notice", "受理须书面告知信访人，请填写告知日期"),
    ([], "petition.refused", "v1", {"where_to_go": ""}, "missing_where",
     "不予受理须告知信访人向哪里反映，请填写"),
    ([], "petition.transferred", "v1", {"notice_on": None}, "missing_notice",
     "转送须告知信访人转送去向，请填写告知日期"),
    ([], "petition.accepted", "v1", {"on": "2026-03-01"}, "bad_date",
     "日期不能早于收到信访事项的日期 2026-03-02"),
    ([ACCEPT], "petition.extended", "v1", {"days": 31}, "too_long",
     "延长期限不得超过30日（信访工作条例第三十四条）"),
    ([ACCEPT], "petition.extended", "v1", {"approver": {"name": ""}}, "missing_approver",
     "延期须经本机关负责人批准，请填写批准人"),
    ([ACCEPT], "petition.extended", "v1", {"told_on": ""}, "missing_notice",
     "延期须告知信访人延期理由，请填写告知日期"),
    ([ACCEPT, ("petition.extended", "v1", {"days": 10})], "petition.extended", "v1", {"days": 10},
     "extended_once", "办理期限只能延长一次，已经延长过（信访工作条例第三十四条）；请在延长后的期限内办结"),
    ([ACCEPT, ("petition.hearing_started", "v1", {})], "petition.answered", "v1", {}, "hearing_open",
     "听证还没有结束，请先登记听证结果，再出具意见"),
    ([ACCEPT, ("petition.hearing_started", "v1", {})], "petition.hearing_started", "v1", {},
     "hearing_open", "已有一次听证还没有结束，请先登记该听证结果"),
    ([ACCEPT], "petition.hearing_held", "v1", {"to": "2026-03-19"}, "bad_date", "听证结束日期不能早于开始日期"),
    ([ACCEPT], "petition.answered", "v1", {"delivered_on": ""}, "missing_delivery",
     "请填写书面答复送达信访人的日期（复查、复核请求期限从这天起算）"),
    ([ACCEPT], "petition.answered", "v1", {"delivered_on": "2026-03-31"}, "bad_date",
     "送达日期不能早于出具意见的日期"),
    ([ACCEPT, ANSWER], "petition.appealed", "c1", {}, "wrong_level",
     "对村委会答复的复查、复核由上一级（镇党委政府（信访工作站））办理，县里不能登记复查/复核请求"),
    ([ACCEPT, ANSWER], "petition.appealed", "t1", {"stage": "复核"}, "bad_stage", "对处理意见只能请求复查"),
    ([ACCEPT, ANSWER, ("petition.appealed", "t1", {})], "petition.appealed", "t1", {}, "in_handling",
     "信访人已对这一答复请求复查，同一事项不再重复受理"),
    ([ACCEPT, ANSWER], "petition.terminated", "v1", {"basis": "复核意见已送达"}, "bad_basis",
     "这件信访事项是处理阶段的答复，终结依据不能选“复核意见已送达”"),
    ([ACCEPT, ANSWER], "petition.terminated", "v1", {"follow_up": {"name": " "}}, "missing_follow_up",
     "依法终结的信访事项须明确跟进责任人（有人管、管得住），请填写"),
    ([ACCEPT, ANSWER], "petition.termination_heard", "v1", {}, "wrong_level",
     "只有镇里、县里可以登记终结听证，村里不能"),
    ([ACCEPT, ANSWER], "petition.termination_heard", "t1", {"consequence": "问责"}, "missing_unit",
     "请填写被问责的办理单位（案结事不了的责任单位）"),
    ([ACCEPT, ANSWER], "petition.termination_heard", "t1", {"consequence": "批评"}, "bad_consequence",
     "请选择听证后的处理：问责（办理单位有过错）或依法处理（诉求不合理）"),
    ([ACCEPT, ANSWER, ("petition.terminated", "v1", {})], "petition.appealed", "t1", {}, "closed",
     "这件信访事项已依法终结，同一事实和理由不再受理"),
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


def test_group_visit_needs_representatives_and_the_cap_is_configurable():
    assert check_group({"size": 12}, "来访").code == "missing_representatives"
    assert check_group({"size": 12}, "来信").ok  # a joint letter elects nobody
    three = PetitionRules(group_visit_max_representatives=3)
    assert check_group({"size": 9, "representatives": ["甲", "乙", "丙", "丁"]}, "来访", three).message \
        .startswith("多人走访反映共同事项，代表人数不得超过3人")


def test_proposed_refusal_needs_a_reason_to_be_overridden_and_the_reason_is_kept():
    proposal = {"ground": "skip_level", "label": "越级反映，下级尚未处理",
                "where_to_go": "请到村委会反映（逐级走访）"}
    log = _log(origin="t1", proposal=proposal)
    event = log.event("petition.accepted", "t1")
    verdict = check_transition(log.state(), event, "town")
    assert verdict.code == "override_needs_reason"
    assert verdict.message == ("系统提示本事项可能不予受理（越级反映，下级尚未处理）；"
                               "如仍要受理，请写明受理理由，理由将记录在案")
    log.add("petition.accepted", "t1", override_reason="村干部是被反映对象，村里无法处理")
    state = log.state()
    assert state.override == "村干部是被反映对象，村里无法处理"
    assert state.steps[-1].what == ("受理，2026-03-05书面告知信访人（未采纳“越级反映，下级尚未处理”的提示："
                                    "村干部是被反映对象，村里无法处理）")


def test_confirming_a_proposed_refusal_is_recorded_as_confirmed():
    proposal = {"ground": "skip_level", "label": "越级反映，下级尚未处理", "where_to_go": "村委会"}
    log = _log(("petition.refused", "t1", {"ground": "skip_level", "ground_label": "越级反映，下级尚未处理",
                                           "reason": "村里没有处理过", "where_to_go": "请到村委会反映"}),
               origin="t1", proposal=proposal)
    state = log.state()
    assert state.status == "refused" and state.decision["confirmed"] is True
    assert state.steps[-1].what.startswith("确认系统提示，不予受理（越级反映，下级尚未处理）")


def test_review_stages_cannot_be_extended():
    log = _log(("petition.accepted", "t1", {"on": "2026-04-11", "notice_on": "2026-04-11"}),
               origin="t1", record="pet-up", **_town_appeal())
    event = log.event("petition.extended", "t1")
    verdict = check_transition(log.state(), event, "town")
    assert verdict.code == "no_extension"
    assert verdict.message == "复查意见应在收到请求之日起30日内提出，不能延期（信访工作条例第三十五、三十六条）"


def test_a_review_request_must_name_the_answer_it_contests():
    log = petition_log("pet-up")
    event = log.event("petition.registered", "t1", stage="复查")
    assert check_transition(PetitionState("pet-up"), event, "town").message == "请求复查的，请选择被请求复查的原答复"
    event = log.event("petition.registered", "t1", stage="复核",
                      appeal_of={"record": "pet-1", "stage": "处理", "level": "village"})
    assert check_transition(PetitionState("pet-up"), event, "town").message == "对处理意见不能请求复核"


def test_appeal_and_review_flow_back_to_the_lower_record():
    lower = _log(ACCEPT, ANSWER, ("petition.appealed", "t1", {}),
                 ("petition.reviewed", "t2", {}))
    state = lower.state()
    assert state.appeals == ({"stage": "复查", "record": "pet-up", "on": "2026-04-10", "level": "town"},)
    assert state.review["result"] == "维持" and state.review["level"] == "town"
    assert [s.what for s in state.steps[-2:]] == ["信访人向上一级请求复查", "上一级复查结论：维持原意见"]
    upper = _log(origin="t1", record="pet-up", **_town_appeal())
    assert upper.state().appeal_of["record"] == "pet-1"
    assert upper.state().stage == "复查"


def test_a_county_answer_cannot_be_appealed_inside_the_system():
    log = _log(("petition.accepted", "c1", {"on": "2026-05-02", "notice_on": "2026-05-02"}),
               ("petition.answered", "c1", {"on": "2026-05-20", "delivered_on": "2026-05-21"}),
               origin="c1", record="pet-top", stage="复核", received_at="2026-05-01T09:00",
               appeal_of={"record": "pet-up", "stage": "复查", "level": "town"})
    event = log.event("petition.appealed", "c1", stage="复查")
    state = log.state()
    assert state.rejected == ()
    verdict = check_transition(state, event, "county")
    assert verdict.code == "wrong_level"  # nothing above the county in this system
    assert check_transition(state, event, None).code == "unknown_level"


def test_termination_keeps_a_named_follow_up_person_who_can_be_changed():
    log = _log(ACCEPT, ANSWER, ("petition.terminated", "v1", {}),
               ("petition.termination_heard", "t1", {}), ("petition.follow_up_assigned", "t1", {}),
               ("petition.followed_up", "v1", {}))
    state = log.state()
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
    log = _log(ACCEPT, ("petition.hearing_started", "v1", {}), ("petition.hearing_held", "v1", {}))
    hearing = log.state().hearings[0]
    assert (hearing.start, hearing.end) == (date(2026, 3, 20), date(2026, 3, 22))
    assert hearing.panel == ("赵听证", "钱听证", "孙听证") and log.state().open_hearing is None


def test_concurrent_extensions_keep_one_and_reject_the_other():
    log = _log(ACCEPT)
    log.add("petition.extended", "v1", hlc=9000, days=20)
    log.add("petition.extended", "v2", hlc=9000, days=30)
    state = log.state()
    assert state.extension_days == 20
    assert state.rejected[0].code == "extended_once"
