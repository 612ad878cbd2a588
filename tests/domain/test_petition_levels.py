"""逐级反映、分级解决: proposals at intake, appeals linked to the answer they contest."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.dispute.links import Person, Prior, find_links
from app.domain.petition.flow import check_transition
from app.domain.petition.intake import PetitionIntakeError, registered_payload
from app.domain.petition.levels import (
    AnswerRef, answer_ref, assignment_hint, check_appeal, new_petition_proposal, refusal_grounds)
from app.domain.petition.state import PetitionState
from app.domain.shared.workdays import WorkCalendar, calendar_from_town_list
from schemas.registry import build_registry
from tests.domain.calendars import COMPLETE_2027
from tests.domain.test_dispute_builders import petition_log, petitioner

CAL = WorkCalendar()
LIU = Person("刘桂芳", "41018119700202002X", "西李村")
SUMMARY = "反映承包地被邻组占用，要求村里重新丈量并恢复原界"


def _prior(level, handled=True, status="answered", kind="petition", record="pet-1"):
    return Prior(record, kind, date(2026, 1, 5), (LIU,), SUMMARY, "西李村", level, status, handled)


def _links(*priors):
    return find_links([LIU], SUMMARY, "西李村", priors)


@pytest.mark.parametrize("level", ["village", "town", "county"])
@pytest.mark.parametrize("channel", ["来访", "来信", "网上"])
def test_no_visit_or_letter_inside_the_system_is_proposed_as_skipping_levels(level, channel):
    # Art 18: a visitor may go to the organ with power (the town) or the one above (the
    # county); only skipping both is 越级, and letters may go anywhere (issue #10 item 6).
    assert new_petition_proposal(level, channel, []) is None


def test_the_county_is_told_it_may_hand_a_matter_no_town_handled_down():
    hint = assignment_hint("county", [])
    assert hint.startswith("没有查到镇里处理过这一事项的记录。向县里反映不属于越级（信访工作条例第十八条")
    assert "可以交办镇里办理" in hint
    assert assignment_hint("county", _links(_prior("town"))) == ""
    assert assignment_hint("town", []) == ""


def test_same_matter_still_in_handling_is_proposed_in_handling():
    proposal = new_petition_proposal("county", "来访", _links(_prior("town", status="accepted")))
    assert proposal.ground == "in_handling"
    assert proposal.where_to_go == "请等待镇党委政府（信访工作站）的办理结果"


def test_other_grounds_are_offered_with_reasons_and_where_to_go():
    codes = [g["code"] for g in refusal_grounds()]
    assert codes == ["skip_level", "other_organ", "litigation", "in_handling", "skip_review",
                     "wrong_level", "late", "closed"]
    other = refusal_grounds()[1]
    assert other["label"] == "属于人大、法院、检察院职权范围"
    assert other["where_to_go"] == "请向有关人大及其常委会、人民法院或人民检察院提出"


def _answered_by_town(delivered_on="2026-04-02"):
    log = petition_log()
    log.add("petition.registered", "v1")          # received at the village station
    log.add("petition.accepted", "t1")
    log.add("petition.answered", "t1", delivered_on=delivered_on)
    return log.state()


def test_appeal_to_the_county_within_30_days_is_a_review_linked_to_the_answer():
    prior = answer_ref(_answered_by_town())
    check = check_appeal(prior, "county", date(2026, 4, 10), CAL)
    assert (check.stage, check.proposal, check.outside) == ("复查", None, False)
    assert check.window_end.date == date(2026, 5, 6)  # 05-02 in the May Day holiday
    assert check.appeal_of == {"record": "pet-1", "stage": "处理", "level": "town",
                               "delivered_on": "2026-04-02"}
    payload = registered_payload(channel="来访", category="申诉求决", petitioners=[petitioner()],
                                 summary=SUMMARY, first_officer={"name": "县接访员"},
                                 received_at="2026-04-10T09:00", village="西李村", appeal=check)
    build_registry().validate("petition.registered", 1, payload)
    assert (payload["stage"], payload["first_time"], "proposal" in payload) == ("复查", False, False)
    log = petition_log("pet-up")
    event = log.event("petition.registered", "c1", payload=payload)
    assert check_transition(PetitionState("pet-up"), event, "county").ok


def test_late_appeal_is_proposed_refusal_unless_a_good_reason_is_written():
    prior = answer_ref(_answered_by_town())
    check = check_appeal(prior, "county", date(2026, 5, 7), CAL)
    assert check.proposal.ground == "late"
    assert check.proposal.message.startswith(
        "建议不予受理：超过请求复查、复核的期限，且无正当理由。书面答复于2026-04-02送达，"
        "请求复查的期限到2026-05-06为止，2026-05-07才提出。")
    assert check_appeal(prior, "county", date(2026, 5, 6), CAL).proposal is None  # last day counts


def test_a_provisional_window_end_never_refuses_a_request_in_time():
    # Issue #10 item 2: answer delivered 2026-12-02, day 30 is 2027-01-01 (元旦, a
    # statutory holiday in any year), then the weekend: the request on Monday 01-04 is
    # in time although nobody has entered 2027's notice.
    prior = answer_ref(_answered_by_town("2026-12-02"))
    check = check_appeal(prior, "county", date(2027, 1, 4), CAL)
    assert check.proposal is None
    assert check.window_end.date == date(2027, 1, 4) and check.window_end.provisional
    assert check.message == ("请求复查的期限截止日为2027-01-04（2027年节假日安排尚未由镇里录入完整"
                             "（已按法定节假日推算），日期为暂定）")
    assert check_appeal(prior, "county", date(2027, 1, 5), CAL).proposal.ground == "late"


def test_a_provisional_end_that_a_notice_could_still_move_is_judged_in_the_citizens_favour():
    # Delivered 2027-09-01: day 30 is 10-01 (国庆), the statutory days run to 10-03 and a
    # notice may give weekdays off up to 10-08 (as in 2020), and then comes a weekend: as
    # known now the window ends on Monday 10-04, but a request up to Monday 10-11 counts
    # as in time, and the officer is told why.
    prior = answer_ref(_answered_by_town("2027-09-01"))
    check = check_appeal(prior, "county", date(2027, 10, 7), CAL)
    assert check.window_end.date == date(2027, 10, 4)
    assert check.proposal is None
    assert check.message == ("期限截止日按暂定日历为2027-10-04（2027年节假日安排尚未由镇里录入完整"
                             "（已按法定节假日推算），日期为暂定）；节假日安排公布后可能顺延到2027-10-11，"
                             "按有利于信访人的原则，2027-10-11前（含当日）提出的视为在期限内")
    assert check_appeal(prior, "county", date(2027, 10, 11), CAL).proposal is None
    assert check_appeal(prior, "county", date(2027, 10, 12), CAL).proposal.ground == "late"
    # once the town enters the notice (10-01..07 off, Saturday 10-09 worked), it decides
    final = calendar_from_town_list(COMPLETE_2027)
    assert check_appeal(prior, "county", date(2027, 10, 8), final).proposal is None
    assert check_appeal(prior, "county", date(2027, 10, 9), final).proposal.ground == "late"


def test_appeal_that_skips_the_review_or_goes_to_the_wrong_level():
    prior = answer_ref(_answered_by_town())
    same = check_appeal(prior, "town", date(2026, 4, 10), CAL)
    assert same.proposal.ground == "wrong_level"
    assert same.proposal.where_to_go == "请向县信访部门请求复查"


def test_above_the_county_the_request_is_recorded_and_sent_never_closed():
    town_review = AnswerRef("pet-up", "复查", "county", "answered", date(2026, 5, 1))
    check = check_appeal(town_review, "county", date(2026, 5, 20), CAL)
    assert (check.stage, check.proposal, check.outside) == ("复核", None, True)
    assert check.message == ("县信访部门答复的复核由市级有关机关（原办理机关的上一级）办理，不在本系统内："
                             "请在原答复上登记这一请求和转往何处，并告知信访人")
    reviewed_outside = AnswerRef("pet-up", "复查", "county", "reviewed", date(2026, 5, 1),
                                 review_stage="复核")
    closed = check_appeal(reviewed_outside, "county", date(2026, 7, 1), CAL)
    assert (closed.stage, closed.proposal.ground) == (None, "closed")
    assert closed.proposal.label == "已经复核（或复查、复核期满）终结，同一事实和理由不再受理"
    terminated = AnswerRef("pet-1", "处理", "town", "terminated", date(2026, 4, 2))
    assert check_appeal(terminated, "county", date(2026, 4, 10), CAL).proposal.ground == "closed"


def test_a_suggestion_answer_cannot_be_reviewed():
    suggestion = AnswerRef("pet-1", "处理", "town", "answered", date(2026, 4, 2), category="建议意见")
    check = check_appeal(suggestion, "county", date(2026, 4, 10), CAL)
    assert check.appeal_of is None and check.proposal is None
    assert check.message.startswith("建议意见类事项的答复不适用复查、复核")


def test_a_closed_matter_is_still_registered_so_the_refusal_is_notified():
    county_answer = AnswerRef("pet-top", "复查", "county", "reviewed", date(2026, 6, 21),
                              review_stage="复核")
    check = check_appeal(county_answer, "county", date(2026, 7, 1), CAL)
    payload = registered_payload(channel="来信", category="申诉求决", petitioners=[petitioner()],
                                 summary=SUMMARY, first_officer={"name": "县接访员"},
                                 received_at="2026-07-01T09:00", appeal=check)
    assert payload["stage"] == "处理" and payload["proposal"]["ground"] == "closed"
    assert payload["appeal_of"]["record"] == "pet-top"
    build_registry().validate("petition.registered", 1, payload)


def test_appeal_against_an_answer_under_review_or_still_open():
    under = AnswerRef("pet-1", "处理", "town", "appealed", date(2026, 4, 2))
    assert check_appeal(under, "county", date(2026, 4, 12), CAL).proposal.ground == "in_handling"
    open_ = AnswerRef("pet-1", "处理", "town", "accepted", None)
    assert check_appeal(open_, "county", date(2026, 4, 12), CAL).proposal.ground == "in_handling"
    reviewed = AnswerRef("pet-1", "处理", "town", "reviewed", date(2026, 4, 2))
    check = check_appeal(reviewed, "county", date(2026, 5, 12), CAL)
    assert check.appeal_of is None
    with pytest.raises(PetitionIntakeError) as info:
        registered_payload(channel="来信", category="申诉求决", petitioners=[petitioner()],
                           summary=SUMMARY, first_officer={"name": "县接访员"},
                           received_at="2026-05-12T09:00", appeal=check)
    assert info.value.message == "这一答复已经由上一级复查；请选择上一级的复查意见作为请求对象"


def test_intake_payload_links_repeats_and_flags_first_time():
    links = _links(_prior("town"))
    payload = registered_payload(channel="来访", category="申诉求决", petitioners=[petitioner()],
                                 summary=SUMMARY, first_officer={"name": "陈接访"},
                                 received_at="2026-03-02T09:30", links=links,
                                 proposal=new_petition_proposal("county", "来访", links))
    assert payload["first_time"] is False
    assert payload["links"][0]["record"] == "pet-1" and payload["links"][0]["relation"] == "same_id"
    assert "proposal" not in payload
    fresh = registered_payload(channel="网上", category="建议意见", petitioners=[petitioner()],
                               summary="建议村里安装路灯", first_officer={"name": "陈接访"},
                               received_at="2026-03-02T23:10", proposal=new_petition_proposal("county", "网上", []))
    assert fresh["first_time"] is True and "proposal" not in fresh
    build_registry().validate("petition.registered", 1, fresh)


def test_intake_refuses_sealed_category_and_too_many_representatives():
    kw = dict(petitioners=[petitioner()], summary=SUMMARY, first_officer={"name": "陈接访"},
              received_at="2026-03-02T09:30")
    with pytest.raises(PetitionIntakeError) as info:
        registered_payload(channel="来访", category="检举控告", **kw)
    assert info.value.code == "sealed_category"
    with pytest.raises(PetitionIntakeError) as info:
        registered_payload(channel="来访", category="申诉求决",
                           group={"size": 30, "representatives": list("甲乙丙丁戊己")}, **kw)
    assert info.value.message.startswith("多人走访反映共同事项，代表人数不得超过5人（信访工作条例第十八条）")


def test_the_30_day_review_window_to_the_day():
    # Delivered Wednesday 2026-06-10: day 30 is Friday 07-10, the last day to ask for 复查;
    # on Monday 07-13 it is late (Art 35: 30 days, not 31: that would roll to 07-13).
    prior = answer_ref(_answered_by_town("2026-06-10"))
    assert check_appeal(prior, "county", date(2026, 7, 10), CAL).proposal is None
    late = check_appeal(prior, "county", date(2026, 7, 13), CAL)
    assert late.proposal.ground == "late" and late.window_end.date == date(2026, 7, 10)
