"""逐级反映、分级解决: proposals at intake, appeals linked to the answer they contest."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.dispute_links import Person, Prior, find_links
from app.domain.petition_intake import PetitionIntakeError, registered_payload
from app.domain.petition_levels import (
    AnswerRef, answer_ref, check_appeal, new_petition_proposal, refusal_grounds)
from app.domain.petition_rules import PetitionRules
from app.domain.petition_state import PetitionState
from app.domain.petition_transitions import check_transition
from app.domain.workdays import WorkCalendar
from schemas.registry import build_registry
from tests.domain.test_dispute_builders import petition_log, petitioner

CAL = WorkCalendar()
LIU = Person("刘桂芳", "41018119700202002X", "西李村")
SUMMARY = "反映承包地被邻组占用，要求村里重新丈量并恢复原界"


def _prior(level, handled=True, status="answered", kind="petition", record="pet-1"):
    return Prior(record, kind, date(2026, 1, 5), (LIU,), SUMMARY, "西李村", level, status, handled)


def _links(*priors):
    return find_links([LIU], SUMMARY, "西李村", priors)


def test_a_village_never_gets_a_skip_level_proposal():
    assert new_petition_proposal("village", "来访", []) is None


def test_town_visit_that_no_village_handled_is_proposed_refusal_with_where_to_go():
    proposal = new_petition_proposal("town", "来访", [])
    assert (proposal.ground, proposal.label) == ("skip_level", "越级反映，下级尚未处理")
    assert proposal.where_to_go == "请到村委会反映（逐级走访）"
    assert proposal.message == ("建议不予受理：越级反映，下级尚未处理。没有查到村委会处理过这一事项的记录。"
                                "请告知信访人：请到村委会反映（逐级走访）。如确需受理，请写明理由（将记录在案）。")


def test_county_letter_suggests_the_town_or_a_transfer_down():
    proposal = new_petition_proposal("county", "来信", [])
    assert proposal.where_to_go == ("请向镇党委政府（信访工作站）反映，或由本级转送"
                                    "镇党委政府（信访工作站）办理并告知去向")


def test_handled_below_means_no_skip_level_proposal():
    assert new_petition_proposal("town", "来访", _links(_prior("village"))) is None
    # a mediated dispute in the village also counts as handled below
    assert new_petition_proposal("town", "来访", _links(_prior("village", kind="dispute"))) is None
    # registered in the village but never handled does not
    assert new_petition_proposal("town", "来访", _links(_prior("village", handled=False,
                                                             status="refused"))).ground == "skip_level"


def test_same_matter_still_in_handling_is_proposed_in_handling():
    proposal = new_petition_proposal("town", "来访", _links(_prior("village", status="accepted")))
    assert proposal.ground == "in_handling"
    assert proposal.where_to_go == "请等待村委会的办理结果"


def test_lowest_level_is_configurable():
    assert new_petition_proposal("town", "来访", [], PetitionRules(lowest_level="town")) is None


def test_other_grounds_are_offered_with_reasons_and_where_to_go():
    codes = [g["code"] for g in refusal_grounds()]
    assert codes == ["skip_level", "other_organ", "litigation", "in_handling", "skip_review",
                     "wrong_level", "late", "closed"]
    other = refusal_grounds()[1]
    assert other["label"] == "属于人大、法院、检察院职权范围"
    assert other["where_to_go"] == "请向有关人大及其常委会、人民法院或人民检察院提出"


def _answered_in_village():
    log = petition_log()
    log.add("petition.registered", "v1")
    log.add("petition.accepted", "v1")
    log.add("petition.answered", "v1")  # delivered 2026-04-02
    return log.state()


def test_appeal_to_the_next_level_within_30_days_is_a_review_linked_to_the_answer():
    prior = answer_ref(_answered_in_village())
    check = check_appeal(prior, "town", date(2026, 4, 10), CAL)
    assert (check.stage, check.proposal) == ("复查", None)
    assert check.window_end.date == date(2026, 5, 6)  # 05-02 in the May Day holiday
    assert check.appeal_of == {"record": "pet-1", "stage": "处理", "level": "village",
                               "delivered_on": "2026-04-02"}
    payload = registered_payload(channel="来访", category="申诉求决", petitioners=[petitioner()],
                                 summary=SUMMARY, first_officer={"name": "镇接访员"},
                                 received_at="2026-04-10T09:00", village="西李村", appeal=check)
    build_registry().validate("petition.registered", 1, payload)
    assert (payload["stage"], payload["first_time"], "proposal" in payload) == ("复查", False, False)
    log = petition_log("pet-up")
    event = log.event("petition.registered", "t1", payload=payload)
    assert check_transition(PetitionState("pet-up"), event, "town").ok


def test_late_appeal_is_proposed_refusal_unless_a_good_reason_is_written():
    prior = answer_ref(_answered_in_village())
    check = check_appeal(prior, "town", date(2026, 5, 7), CAL)
    assert check.proposal.ground == "late"
    assert check.proposal.message.startswith(
        "建议不予受理：超过请求复查、复核的期限，且无正当理由。书面答复于2026-04-02送达，"
        "请求复查的期限到2026-05-06为止，2026-05-07才提出。")
    assert check_appeal(prior, "town", date(2026, 5, 6), CAL).proposal is None  # last day counts


def test_appeal_that_skips_the_review_or_goes_to_the_wrong_level():
    prior = answer_ref(_answered_in_village())
    skip = check_appeal(prior, "county", date(2026, 4, 10), CAL)
    assert (skip.stage, skip.proposal.ground) == ("复查", "skip_review")
    assert skip.proposal.where_to_go == "请向镇党委政府（信访工作站）请求复查"
    same = check_appeal(prior, "village", date(2026, 4, 10), CAL)
    assert same.proposal.ground == "wrong_level"


def test_review_answer_is_re_reviewed_at_the_next_level_and_nothing_after_re_review():
    town_answer = AnswerRef("pet-up", "复查", "town", "answered", date(2026, 5, 1))
    check = check_appeal(town_answer, "county", date(2026, 5, 20), CAL)
    assert (check.stage, check.proposal) == ("复核", None)
    county_answer = AnswerRef("pet-top", "复核", "county", "answered", date(2026, 6, 21))
    closed = check_appeal(county_answer, "county", date(2026, 7, 1), CAL)
    assert (closed.stage, closed.proposal.ground) == (None, "closed")
    assert closed.proposal.label == "已经复核（或复查、复核期满）终结，同一事实和理由不再受理"
    terminated = AnswerRef("pet-1", "处理", "village", "terminated", date(2026, 4, 2))
    assert check_appeal(terminated, "town", date(2026, 4, 10), CAL).proposal.ground == "closed"


def test_a_closed_matter_is_still_registered_so_the_refusal_is_notified():
    county_answer = AnswerRef("pet-top", "复核", "county", "answered", date(2026, 6, 21))
    check = check_appeal(county_answer, "county", date(2026, 7, 1), CAL)
    payload = registered_payload(channel="来信", category="申诉求决", petitioners=[petitioner()],
                                 summary=SUMMARY, first_officer={"name": "县接访员"},
                                 received_at="2026-07-01T09:00", appeal=check)
    assert payload["stage"] == "处理" and payload["proposal"]["ground"] == "closed"
    assert payload["appeal_of"]["record"] == "pet-top"
    build_registry().validate("petition.registered", 1, payload)


def test_appeal_against_an_answer_under_review_or_still_open():
    under = AnswerRef("pet-1", "处理", "village", "appealed", date(2026, 4, 2))
    assert check_appeal(under, "town", date(2026, 4, 12), CAL).proposal.ground == "in_handling"
    open_ = AnswerRef("pet-1", "处理", "village", "accepted", None)
    assert check_appeal(open_, "town", date(2026, 4, 12), CAL).proposal.ground == "in_handling"
    reviewed = AnswerRef("pet-1", "处理", "village", "reviewed", date(2026, 4, 2))
    check = check_appeal(reviewed, "county", date(2026, 5, 12), CAL)
    assert check.appeal_of is None
    with pytest.raises(PetitionIntakeError) as info:
        registered_payload(channel="来信", category="申诉求决", petitioners=[petitioner()],
                           summary=SUMMARY, first_officer={"name": "县接访员"},
                           received_at="2026-05-12T09:00", appeal=check)
    assert info.value.message == "这一答复已经由上一级复查或复核；请选择上一级的复查、复核意见作为请求对象"


def test_intake_payload_links_repeats_and_flags_first_time():
    links = _links(_prior("village"))
    payload = registered_payload(channel="来访", category="申诉求决", petitioners=[petitioner()],
                                 summary=SUMMARY, first_officer={"name": "陈接访"},
                                 received_at="2026-03-02T09:30", links=links,
                                 proposal=new_petition_proposal("town", "来访", links))
    assert payload["first_time"] is False
    assert payload["links"][0]["record"] == "pet-1" and payload["links"][0]["relation"] == "same_id"
    assert "proposal" not in payload
    fresh = registered_payload(channel="网上", category="建议意见", petitioners=[petitioner()],
                               summary="建议村里安装路灯", first_officer={"name": "陈接访"},
                               received_at="2026-03-02T23:10", proposal=new_petition_proposal("town", "网上", []))
    assert fresh["first_time"] is True and fresh["proposal"]["ground"] == "skip_level"
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
