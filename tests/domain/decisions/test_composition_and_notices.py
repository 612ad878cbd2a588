"""Roster composition warnings (组织法 Art 25, 6) and notice before meetings."""
from __future__ import annotations

from datetime import date

from app.domain.decisions.composition import roster_warnings
from app.domain.decisions.notices import latest_notice_day, party_plan_notice, villagers_meeting_notice
from tests.domain.decisions.support import RULES, party, representatives, rules_with


def _codes(people, rules=RULES):
    return [w.code for w in roster_warnings(people, rules)]


def test_representatives_exactly_four_fifths_and_women_exactly_one_third_pass():
    # 12 representatives (5 women) + 3 committee members = 15; 12/15 = 4/5, 5/15 = 1/3
    assert _codes(representatives(12, committee=3, women_reps=5)) == []


def test_one_representative_short_of_four_fifths_warns_with_its_source():
    warnings = roster_warnings(representatives(11, committee=3, women_reps=5), RULES)
    assert [w.code for w in warnings] == ["representatives_share"]
    assert warnings[0].message == ("村民代表会议组成人员14人，其中村民代表（不含兼任的村委会成员）11/14（78.57%），"
                                   "不足五分之四以上（至少12人）；请在推选村民代表时补足")
    assert warnings[0].source == "村民委员会组织法（2018年修正）第二十五条第一款"


def test_a_committee_member_who_is_also_a_representative_does_not_fill_a_representatives_place():
    # 12 representatives + 2 committee + 1 both = 15; only 12 count as representatives
    assert _codes(representatives(12, committee=2, women_reps=5, both=1)) == []
    assert _codes(representatives(11, committee=2, women_reps=5, both=2)) == ["representatives_share"]


def test_women_one_short_of_a_third_warns():
    assert _codes(representatives(12, committee=3, women_reps=4)) == ["women_share"]
    # a town that tightens the share to half: 6 of 15 no longer enough
    assert _codes(representatives(12, committee=3, women_reps=6)) == []
    assert _codes(representatives(12, committee=3, women_reps=6),
                  rules_with(women_representatives_share="半数以上")) == ["women_share"]


def test_a_committee_without_a_woman_warns():
    people = [p for p in representatives(12, committee=3, women_reps=5) if p.id != "c0"]
    assert "committee_woman" in _codes(people)


def test_party_plan_at_least_three_full_days_before():
    meeting = date(2026, 3, 5)
    people = party(3, probationary=1)
    assert latest_notice_day(meeting, 3) == date(2026, 3, 1)
    sent = {"p0": date(2026, 3, 1), "p1": date(2026, 2, 27), "p2": date(2026, 3, 1),
            "y0": date(2026, 3, 1)}
    assert party_plan_notice(meeting, people, sent, RULES.party_plan_notice_days).ok
    late = party_plan_notice(meeting, people, {**sent, "p2": date(2026, 3, 2)}, RULES.party_plan_notice_days)
    assert not late.ok and late.late == ("党员2",)
    missing = party_plan_notice(meeting, people, {k: v for k, v in sent.items() if k != "y0"},
                                RULES.party_plan_notice_days)
    assert missing.missing == ("预备0",)                       # probationary members are told too
    assert missing.message == ("党员大会审议的方案须在会议3天前（最晚2026-03-01）送达每一人；没有送达：预备0。"
                               "请补送，并把会议安排在补送之日后满3天以后召开")


def test_villagers_meeting_ten_days_notice():
    meeting = date(2026, 3, 20)
    assert villagers_meeting_notice(meeting, date(2026, 3, 9), RULES.villagers_meeting_notice_days).ok
    late = villagers_meeting_notice(meeting, date(2026, 3, 10), RULES.villagers_meeting_notice_days)
    assert not late.ok and late.message.startswith("村民会议须提前10天通知村民（最晚2026-03-09）")
    assert not villagers_meeting_notice(meeting, None, RULES.villagers_meeting_notice_days).ok
