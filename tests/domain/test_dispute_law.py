"""Disputes as the law reads them (issue #10): the routes a failed mediation may take by
dispute type (人民调解法 Art 26, 劳动争议调解仲裁法 Art 5, 农村土地承包经营纠纷调解仲裁法 Art 4,
仲裁法 Art 3), 分级调处 at intake, county → town 交办, oral agreements (Art 28, 30) and the
late 司法确认 warning (Art 33)."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.dispute.agreement import agreement_problems
from app.domain.dispute.clocks import confirmation_reminder, confirmation_warning
from app.domain.dispute.flow import check_transition
from app.domain.dispute.levels import check_dispute_intake
from app.domain.dispute.links import Person, Prior, find_links
from app.domain.dispute.referrals import BY_TYPE, referral_routes
from app.domain.dispute.state import DisputeState
from app.domain.shared.workdays import WorkCalendar
from tests.domain.test_dispute_builders import LEVELS, agreement, dispute_log

CAL = WorkCalendar()
SESSION = ("dispute.session", "v1", {})


def _log(*steps, **registered):
    log = dispute_log()
    log.add("dispute.registered", **registered)
    for kind, origin, extra in steps:
        log.add(kind, origin, **extra)
    return log


def _fail(log, to, origin="v1"):
    event = log.event("dispute.failed", origin, referral={"to": to})
    return check_transition(log.state(), event, LEVELS[origin])


# ---------------------------------------------------------------- item 5: routes by type

def test_a_failed_labour_mediation_goes_to_labour_arbitration_never_straight_to_court():
    log = _log(SESSION, type="劳资")
    verdict = _fail(log, "诉讼")
    assert (verdict.code, verdict.message) == ("wrong_route", (
        "劳资纠纷调解不成的，应当引导申请劳动争议仲裁；对仲裁裁决不服的才能向人民法院起诉（劳动争议调解仲裁法第五条）"))
    assert _fail(log, "司法调解").code == "wrong_route"
    assert _fail(log, "劳动争议仲裁").ok
    log.add("dispute.failed", "v1", referral={"to": "劳动争议仲裁", "unit": "县劳动人事争议仲裁委员会"})
    state = log.state()
    assert state.status == "referred" and state.referral["unit"] == "县劳动人事争议仲裁委员会"
    assert state.steps[-1].what.startswith("调解不成，引导劳动争议仲裁")


def test_a_land_contract_dispute_may_go_to_its_own_arbitration_or_to_court():
    log = _log(SESSION, type="土地")
    assert _fail(log, "农村土地承包仲裁").ok and _fail(log, "诉讼").ok and _fail(log, "行政处理").ok
    assert _fail(log, "劳动争议仲裁").code == "wrong_route"


def test_a_marriage_dispute_cannot_be_arbitrated():
    log = _log(SESSION, type="婚姻家庭")
    assert _fail(log, "仲裁").message == "婚姻、收养、监护、扶养、继承纠纷不能仲裁（仲裁法第三条），请引导诉讼"
    assert _fail(log, "诉讼").ok


@pytest.mark.parametrize("dispute_type", sorted(BY_TYPE))
def test_every_type_may_go_up_one_level_and_has_some_route(dispute_type):
    log = _log(SESSION, type=dispute_type)
    assert _fail(log, "上报镇调处中心").ok
    assert referral_routes(dispute_type) and all(_fail(log, r).ok for r in referral_routes(dispute_type))


# ---------------------------------------------------------------- item 6: 分级调处 at intake

ZHANG = Person("张大山", "410181198001011234", "东王村")
SUMMARY = "张大山与王小河因排水沟堵塞、污水流入院内发生争执"


def _links(level, status, kind="dispute", record="dsp-0"):
    prior = Prior(record, kind, date(2026, 2, 1), (ZHANG,), SUMMARY, "东王村", level, status, True)
    return find_links([ZHANG], SUMMARY, "东王村", [prior])


def test_a_dispute_brought_straight_to_the_town_is_proposed_to_the_village_first():
    check = check_dispute_intake("town", "群众申请", [])
    assert check.review_of is None
    assert check.proposal["label"] == "未经村调解室调处"
    assert check.proposal["where_to_go"] == "请到村调解室调处"
    county = check_dispute_intake("county", "群众申请", [])
    assert county.proposal["label"] == "未经镇矛盾调处化解中心调处"
    assert "或由县里交办镇里调处" in county.proposal["message"]
    assert check_dispute_intake("village", "群众申请", []).proposal is None
    assert check_dispute_intake("town", "排查发现", []).proposal is None


def test_a_contested_lower_result_is_reviewed_by_the_upper_level():
    check = check_dispute_intake("town", "群众申请", _links("village", "referred"))
    assert check.proposal is None
    assert check.review_of == {"record": "dsp-0", "kind": "dispute", "level": "village",
                               "status": "referred"}
    waiting = check_dispute_intake("town", "群众申请", _links("village", "mediating"))
    assert waiting.proposal["ground"] == "in_handling"
    assert waiting.proposal["label"] == "正在村调解室调处"


def test_registration_against_the_proposal_needs_a_reason_that_stays_on_record():
    proposal = check_dispute_intake("town", "群众申请", []).proposal
    log = dispute_log()
    bare = log.event("dispute.registered", "t1", proposal=proposal)
    verdict = check_transition(DisputeState("dsp-1"), bare, "town")
    assert verdict.code == "override_needs_reason"
    assert verdict.message.startswith("系统提示：未经村调解室调处（分级调处）。请到村调解室调处；")
    log.add("dispute.registered", "t1", proposal=proposal, override_reason="村主任是一方当事人")
    state = log.state()
    assert state.rejected == ()
    assert state.override_reason == "村主任是一方当事人" and state.level == "town"
    assert state.steps[0].what.endswith("（未采纳“未经村调解室调处”的提示：村主任是一方当事人）")


def test_review_of_a_lower_result_is_on_the_timeline():
    log = dispute_log()
    log.add("dispute.registered", "t1", review_of={"record": "dsp-0", "kind": "dispute",
                                                   "level": "village", "status": "referred"})
    assert log.state().steps[0].what.endswith("；当事人不服村调解室的处理结果，本级审查")


# ---------------------------------------------------------------- 交办 county → town

def test_county_hands_a_dispute_down_and_the_towns_month_starts_then():
    log = _log(("dispute.escalated", "v1", {}), ("dispute.escalated", "t1", {}))
    log.add("dispute.assigned", "c1", on="2026-03-20")
    state = log.state()
    assert (state.status, state.level, state.status_name) == ("assigned", "town", "县里交办，待镇里调处")
    assert state.mediation_start == date(2026, 3, 20)
    assert state.steps[-1].what == "交办新集镇矛盾调处化解中心：属地管理，请镇调处中心调处并报结果"
    log.add("dispute.session", "t2", on="2026-03-22")
    assert log.state().rejected == () and log.state().status == "mediating"
    assert check_transition(log.state(), log.event("dispute.session", "c1"), "county").code == \
        "wrong_level"


# ---------------------------------------------------------------- item 11: oral agreements

def _oral(**extra):
    doc = {"no": "东王调〔2026〕3号", "form": "口头", "effective_on": "2026-03-15",
           "parties": [{"name": "张大山", "role": "申请人"}, {"name": "王小河", "role": "被申请人"}],
           "terms": [{"content": "王小河清理排水沟", "how": "自行清理", "due": "2026-03-20"}],
           "recorded_by": "李调解"}
    doc.update(extra)
    return doc


def test_an_oral_agreement_is_recorded_with_its_terms_and_who_recorded_it():
    assert agreement_problems(_oral()) == []
    assert agreement_problems(_oral(recorded_by="")) == ["记录协议内容的人民调解员（人民调解法第二十八条）"]
    log = _log(SESSION)
    log.add("dispute.agreed", "v1", agreement=_oral())
    state = log.state()
    assert state.rejected == () and state.status == "agreed"
    assert state.effective_on == date(2026, 3, 15)   # Art 30: the day it was reached
    reminder = confirmation_reminder(state, date(2026, 4, 10), CAL)
    assert reminder.label.endswith("（口头协议：如双方要申请司法确认，须先制作书面调解协议书，人民调解法第二十八条）")


def test_a_written_agreement_still_needs_every_article_29_item():
    written = agreement()
    written.pop("facts")
    assert "纠纷的主要事实" in agreement_problems(written)


# ---------------------------------------------------------------- item 11: late 司法确认

def test_a_judicial_confirmation_applied_for_after_30_days_is_warned_about():
    # effective 2026-03-15 (builder's agreement): day 30 is 04-14, a Tuesday.
    log = _log(SESSION, ("dispute.agreed", "v1", {}))
    state = log.state()
    assert state.effective_on == date(2026, 3, 15)
    assert confirmation_warning(state, CAL, on=date(2026, 4, 14)) is None
    warning = confirmation_warning(state, CAL, on=date(2026, 4, 15))
    assert warning == ("申请司法确认的日期2026-04-15已超过期限（协议2026-03-15生效，应在2026-04-14前申请，"
                       "人民调解法第三十三条：自调解协议生效之日起三十日内共同申请司法确认），人民法院可能不予受理；"
                       "协议仍然有效，一方不履行的，另一方可以向人民法院起诉")
    log.add("dispute.confirmation", "v1", on="2026-04-20", status="已申请", court="县人民法院")
    assert confirmation_warning(log.state(), CAL).startswith("申请司法确认的日期2026-04-20已超过期限")
    assert log.state().rejected == ()  # recorded as it happened, with the warning shown


def test_the_confirmation_window_in_a_provisional_year_runs_to_its_latest_possible_end():
    # Effective 2027-09-01: day 30 is 10-01 (国庆); as known the window ends 10-04, but a
    # notice may give weekdays off up to 10-08 and then comes a weekend: the parties are
    # told 10-11, and an application on 10-11 gets no warning (issue #10 item 2).
    log = _log(SESSION, ("dispute.agreed", "v1", {"agreement": agreement(
        effective_on="2027-09-01", terms=[{"content": "赔偿", "how": "当面付清", "due": "2027-09-10"}])}))
    state = log.state()
    reminder = confirmation_reminder(state, date(2027, 9, 20), CAL)
    assert (reminder.due, reminder.provisional) == (date(2027, 10, 11), True)
    assert confirmation_warning(state, CAL, on=date(2027, 10, 11)) is None
    assert confirmation_warning(state, CAL, on=date(2027, 10, 12)) is not None
