"""Dispute and mediation workflow: each step, who may make it, and the refusal users see."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.dispute.flow import EVENT_TYPES, check_transition
from tests.domain.test_dispute_builders import LEVELS, OFFICER, TOWN_LEADER, dispute_log, parties


def _log(*steps):
    log = dispute_log()
    log.add("dispute.registered")
    for kind, origin, extra in steps:
        log.add(kind, origin, **extra)
    return log


SESSION = ("dispute.session", "v1", {})
ESCALATE = ("dispute.escalated", "v1", {})


def test_registration_records_first_officer_risk_and_intake_at_any_hour():
    state = _log().state()
    assert state.rejected == ()
    assert (state.status, state.level, state.intake_level) == ("registered", "village", "village")
    assert state.first_officer == OFFICER
    assert state.received_at == "2026-03-10T21:40" and state.received_on == date(2026, 3, 10)
    assert state.risk == "中" and state.first_time is True
    assert [p.role for p in state.parties] == ["申请人", "被申请人"]
    assert state.steps[0].what == "登记邻里关系纠纷，激化风险中（初信初访）"
    assert state.steps[0].on == "2026-03-10"


def test_midnight_intake_on_a_holiday_is_accepted():
    log = dispute_log()
    log.add("dispute.registered", received_at="2026-10-01T00:05")
    assert log.state().received_on == date(2026, 10, 1)


# (steps before, event, origin, extra, status after, level after)
VALID = [
    ([], "dispute.taken", "t1", {}, "registered", "village"),
    ([], "dispute.risk_changed", "v1", {}, "registered", "village"),
    ([], "dispute.risk_changed", "t1", {}, "registered", "village"),
    ([], "dispute.session", "v1", {}, "mediating", "village"),
    ([], "dispute.extended", "v1", {}, "registered", "village"),
    ([SESSION], "dispute.agreed", "v1", {}, "agreed", "village"),
    ([SESSION], "dispute.failed", "v2", {}, "referred", "village"),
    ([SESSION], "dispute.failed", "v1", {"referral": {"to": "上报镇调处中心"}}, "escalated", "town"),
    ([], "dispute.escalated", "v1", {}, "escalated", "town"),
    ([ESCALATE], "dispute.session", "t1", {}, "mediating", "town"),
    ([ESCALATE], "dispute.escalated", "t2", {}, "escalated", "county"),
    ([ESCALATE, ("dispute.session", "t1", {})], "dispute.failed", "t1",
     {"referral": {"to": "上报县调处中心"}}, "escalated", "county"),
    ([SESSION, ("dispute.agreed", "v1", {})], "dispute.confirmation", "v1", {}, "agreed", "village"),
    ([SESSION, ("dispute.agreed", "v1", {})], "dispute.revisited", "t1", {}, "agreed", "village"),
    ([SESSION, ("dispute.agreed", "v1", {})], "dispute.revisited", "v1",
     {"performance": "全部履行"}, "performed", "village"),
    ([ESCALATE, ("dispute.escalated", "t1", {})], "dispute.assigned", "c1", {}, "assigned", "town"),
]


@pytest.mark.parametrize("before, kind, origin, extra, status, level", VALID)
def test_valid_step_is_applied(before, kind, origin, extra, status, level):
    log = _log(*before)
    event = log.event(kind, origin, **extra)
    assert check_transition(log.state(), event, LEVELS[origin]).ok
    log.events.append(event)
    state = log.state()
    assert state.rejected == ()
    assert (state.status, state.level) == (status, level)
    assert state.steps[-1].event_id == event["id"]


def test_every_event_type_has_a_valid_case():
    assert {row[1] for row in VALID} | {"dispute.registered"} == set(EVENT_TYPES)


# (steps before, event, origin, extra, code, message)
INVALID = [
    ([], "dispute.registered", "v1", {}, "duplicate", "这起纠纷已经登记，不能重复登记"),
    ([], "dispute.agreed", "v1", {}, "no_session", "请先登记调解过程（调解笔录），再登记调解结果"),
    ([], "dispute.failed", "v1", {}, "no_session", "请先登记调解过程（调解笔录），再登记调解结果"),
    ([], "dispute.taken", "v1", {}, "wrong_level", "高风险纠纷由镇、县认领包案，村里不能认领"),
    ([("dispute.taken", "t1", {})], "dispute.taken", "t2", {"by": {"name": "吴镇长"}},
     "already_taken", "这起纠纷已由周副镇长认领，不用重复认领"),
    ([], "dispute.session", "t1", {}, "wrong_level", "这起纠纷目前由村调解室调处，镇里不能登记调解"),
    ([ESCALATE], "dispute.session", "v1", {}, "wrong_level",
     "这起纠纷目前由镇矛盾调处化解中心调处，村里不能登记调解"),
    ([ESCALATE, ("dispute.escalated", "t1", {})], "dispute.escalated", "c1", {}, "wrong_level",
     "县矛盾纠纷调处中心已是最高一级，不能再上报；调解不成的请引导诉讼等途径"),
    ([ESCALATE], "dispute.assigned", "t1", {}, "wrong_level",
     "只有县矛盾纠纷调处中心可以交办镇里；调处不了的请上报上一级"),
    ([SESSION], "dispute.failed", "v1", {"referral": {"to": "上报县调处中心"}}, "wrong_level",
     "村里调解不成的应上报镇调处中心"),
    ([SESSION], "dispute.failed", "v1", {"referral": {}}, "missing_referral",
     "请选择引导途径：诉讼、司法调解、行政调解、仲裁，或上报上级调处中心"),
    ([], "dispute.session", "v1", {"record_text": " "}, "missing_record",
     "请填写调解笔录（调解经过和各方意见）"),
    ([], "dispute.session", "v1", {"on": "2026-03-01"}, "bad_date",
     "日期不能早于纠纷登记日期 2026-03-10"),
    ([], "dispute.session", "v1", {"attachments": [{"sha256": "xyz", "size": 1, "mime": "image/jpeg"}]},
     "bad_attachment", "附件（签字笔录的照片或扫描件）信息不完整，请重新拍照上传"),
    ([], "dispute.risk_changed", "v1", {"risk": "中"}, "nothing_changed", "激化风险已经是“中”"),
    ([SESSION, ("dispute.agreed", "v1", {})], "dispute.session", "v1", {}, "wrong_status",
     "这起纠纷已调解成功，不能登记调解"),
    ([SESSION, ("dispute.agreed", "v1", {}), ("dispute.revisited", "v1", {"performance": "全部履行"})],
     "dispute.revisited", "v1", {}, "wrong_status", "协议已全部履行并结案，不用再回访"),
    ([SESSION, ("dispute.failed", "v1", {})], "dispute.agreed", "v1", {}, "wrong_status",
     "这起纠纷已调解不成并引导其他途径，不能登记调解成功"),
    ([], "dispute.confirmation", "v1", {}, "wrong_status", "这起纠纷已登记、还没有调解，不能登记司法确认"),
    ([SESSION, ("dispute.agreed", "v1", {})], "dispute.confirmation", "v1", {"court": ""},
     "missing_court", "请填写受理司法确认的人民法院"),
]


@pytest.mark.parametrize("before, kind, origin, extra, code, message", INVALID)
def test_invalid_step_is_refused_with_a_chinese_reason(before, kind, origin, extra, code, message):
    log = _log(*before)
    event = log.event(kind, origin, **extra)
    verdict = check_transition(log.state(), event, LEVELS[origin])
    assert (verdict.ok, verdict.code, verdict.message) == (False, code, message)
    log.events.append(event)
    state = log.state()
    assert state.rejected[-1].event_id == event["id"]
    assert state.rejected[-1].reason == message


def test_registration_needs_both_sides_a_type_and_a_risk():
    log = dispute_log()
    one = [parties()[0]]
    cases = [
        (dict(parties=one), "纠纷至少要有双方当事人（申请人和被申请人，或双方当事人），请补填"),
        (dict(type="吵架"), "请选择纠纷类型：婚姻家庭、邻里关系、住宅房屋、土地、劳资、损害赔偿、其他"),
        (dict(risk="很高"), "请评估激化风险：低、中或高"),
        (dict(first_officer={"name": ""}), "请填写首问负责人（第一个接待的工作人员）"),
        (dict(received_at="昨晚"), "受理时间不对，请重新选择（任何时间都可以受理）"),
    ]
    for extra, message in cases:
        event = log.event("dispute.registered", "v1", **extra)
        verdict = check_transition(log.state() if log.events else _blank(), event, "village")
        assert verdict.message == message


def _blank():
    from app.domain.dispute.state import DisputeState
    return DisputeState(record="dsp-1")


def test_found_by_screening_both_sides_may_be_plain_parties():
    log = dispute_log()
    log.add("dispute.registered", parties=[{"name": "甲", "role": "当事人"},
                                            {"name": "乙", "role": "当事人"}], source="排查发现")
    assert log.state().status == "registered"


def test_extension_needs_the_consent_of_both_sides():
    log = _log()
    event = log.event("dispute.extended", "v1",
                      consents=[{"name": "张大山", "how": "签字", "on": "2026-03-12"}])
    verdict = check_transition(log.state(), event, "village")
    assert verdict.code == "missing_consent"
    assert verdict.message == ("延长调解期限须双方当事人同意，还缺王小河的同意；"
                               "请记录其同意（签字或口头同意及日期）后再延长")


def test_a_third_party_need_not_consent_to_an_extension():
    log = dispute_log()
    log.add("dispute.registered", parties=parties() + [{"name": "村民组长", "role": "第三人"}])
    log.add("dispute.extended", "v1")
    assert log.state().rejected == ()
    assert log.state().extended_to == date(2026, 4, 30)


def test_escalation_restarts_the_holder_and_the_month_at_the_upper_level():
    log = _log(SESSION, ("dispute.failed", "v1", {"referral": {"to": "上报镇调处中心"}, "on": "2026-03-20"}))
    state = log.state()
    assert state.status_name == "已上报镇矛盾调处化解中心，待调处"
    assert state.path == (("village", "v1"), ("town", None))
    assert state.mediation_start == date(2026, 3, 20)
    log.add("dispute.session", "t2", on="2026-03-22")
    state = log.state()
    assert state.owner_node == "t2" and state.path[-1] == ("town", "t2")
    assert state.escalations[0]["to"] == "上报镇调处中心"


def test_failure_with_a_referral_is_recorded_and_changes_the_method():
    log = _log(SESSION, ("dispute.failed", "v1", {"referral": {"to": "行政调解", "unit": "镇国土所"}}))
    state = log.state()
    assert state.status == "referred" and state.method == "行政调解"
    assert state.referral["unit"] == "镇国土所"
    assert state.status_name == "调解不成，已引导行政调解"
    assert state.closed_on == date(2026, 3, 12)


def test_agreement_records_its_effective_date_and_steps_read_as_a_timeline():
    log = _log(("dispute.taken", "t1", {}), SESSION, ("dispute.agreed", "v1", {}))
    state = log.state()
    assert state.effective_on == date(2026, 3, 15)
    assert [s.what for s in state.steps] == [
        "登记邻里关系纠纷，激化风险中（初信初访）",
        "周副镇长（政法委员）认领包案",
        "调解（调解员：李调解、赵委员）",
        "调解成功，签订调解协议书（东王调〔2026〕3号）",
    ]
    assert state.sessions[0].attachments[0]["name"] == "笔录签字页.jpg"


def test_incomplete_agreement_is_refused_listing_what_article_29_requires():
    log = _log(SESSION)
    bad = dict(log.payloads("dispute.agreed")["agreement"], facts="", terms=[
        {"content": "赔偿800元", "how": "", "due": "2026-04-10"}])
    event = log.event("dispute.agreed", "v1", agreement=bad)
    verdict = check_transition(log.state(), event, "village")
    assert verdict.code == "incomplete_agreement"
    assert verdict.message == ("调解协议书还缺：纠纷的主要事实；第1项协议的履行方式"
                               "（人民调解法第二十九条），请补全后再登记")


def test_concurrent_takes_keep_the_first_and_show_the_second_as_rejected():
    log = _log()
    log.add("dispute.taken", "t1", hlc=5000)
    log.events.append(log.event("dispute.taken", "t2", hlc=5000, by={"name": "吴镇长"}))
    state = log.state()
    assert state.taken["by"]["name"] == "周副镇长"
    assert state.rejected[0].code == "already_taken"


def test_replay_is_order_independent_and_ignores_duplicates():
    log = _log(("dispute.taken", "t1", {}), SESSION, ("dispute.agreed", "v1", {}))
    from app.domain.dispute.flow import fold
    forward = fold(log.events, LEVELS)
    backward = fold(list(reversed(log.events)) + log.events[:2], LEVELS)
    assert forward == backward


def test_unknown_origin_is_rejected():
    log = _log()
    event = log.event("dispute.session", "x9")
    log.events.append(event)
    assert log.state().rejected[0].code == "unknown_level"


def test_taken_by_town_after_registration_at_the_town():
    log = dispute_log()
    log.add("dispute.registered", "t1", risk="高")
    log.add("dispute.taken", "t2", by=TOWN_LEADER)
    assert log.state().taken["level"] == "town"
