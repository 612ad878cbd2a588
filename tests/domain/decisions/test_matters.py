"""Who may decide (组织法 Art 24, 25, 27) and the land matters that need two thirds of all
members (土地承包法 Art 52, 28, 19; 土地管理法 Art 63)."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.decisions.errors import DecisionError
from app.domain.decisions.matters import deciding_body, land_consent
from app.domain.decisions.meetings import HOUSEHOLDS, PARTY, REPRESENTATIVES, VILLAGERS, tally
from app.domain.decisions.roster import Person
from tests.domain.decisions.support import MEETING_DAY, RULES, attend, representatives, villagers

GENERAL = {"scope": "all", "from": "2024-01-01", "record": "自治章程第十二条"}


def test_art24_matter_by_representatives_without_authorisation_is_refused():
    verdict = deciding_body(["宅基地"], REPRESENTATIVES, [], MEETING_DAY)
    assert not verdict.ok and verdict.source == "村民委员会组织法（2018年修正）第二十四条"
    assert verdict.message == (
        "“宅基地的使用方案”属于村民委员会组织法（2018年修正）第二十四条第一款第（六）项规定的事项，"
        "须经村民会议讨论决定；村民代表会议只有经村民会议授权才能决定（第二十四条第二款）。"
        "请召开村民会议，或者先由村民会议作出授权并登记授权记录")
    assert deciding_body(["宅基地"], VILLAGERS, [], MEETING_DAY).ok


def test_art24_matter_with_an_authorisation_in_force():
    specific = {"scope": ["宅基地", "公益事业"], "from": "2026-01-01", "until": "2026-12-31"}
    assert deciding_body(["宅基地"], REPRESENTATIVES, [specific], MEETING_DAY).ok
    assert deciding_body(["征地补偿"], REPRESENTATIVES, [GENERAL], MEETING_DAY).ok
    assert not deciding_body(["征地补偿"], REPRESENTATIVES, [specific], MEETING_DAY).ok
    assert not deciding_body(["宅基地"], REPRESENTATIVES, [specific], date(2027, 1, 1)).ok
    assert not deciding_body(["宅基地"], REPRESENTATIVES, [specific], date(2025, 12, 31)).ok


def test_every_matter_before_the_representatives_needs_some_authorisation():
    verdict = deciding_body(["其他"], REPRESENTATIVES, [], MEETING_DAY)
    assert not verdict.ok and verdict.source == "村民委员会组织法（2018年修正）第二十五条第一款"
    assert deciding_body(["其他"], REPRESENTATIVES, [GENERAL], MEETING_DAY).ok


def test_village_rules_stay_with_the_villagers_meeting():
    verdict = deciding_body(["村规民约"], REPRESENTATIVES, [GENERAL], MEETING_DAY)
    assert verdict.message == "“村规民约”只能由村民会议决定，村民代表会议不能决定；请召开村民会议"
    assert not deciding_body(["宅基地"], PARTY, [], MEETING_DAY).ok


def test_unknown_kinds_and_bad_authorisation_dates():
    assert deciding_body(["修路"], VILLAGERS, [], MEETING_DAY).message.startswith("事项类别“修路”不认识")
    with pytest.raises(DecisionError):
        deciding_body(["宅基地"], REPRESENTATIVES, [{"scope": "all", "from": "去年"}], MEETING_DAY)


def _reps_vote(for_ids, people):
    return tally(REPRESENTATIVES, people, attend([p.id for p in people if p.id in for_ids])
                 + attend([p.id for p in people if p.id not in for_ids], vote="反对"),
                 MEETING_DAY, RULES)


def test_land_to_outsiders_needs_two_thirds_of_all_representatives_not_of_those_present():
    people = representatives(9, committee=3)
    # committee members vote for; 6 of 9 representatives for: exactly two thirds
    result = _reps_vote({f"r{i}" for i in range(6)} | {"c0", "c1", "c2"}, people)
    consent = land_consent(["土地发包给集体以外"], result, people, MEETING_DAY, RULES)
    assert consent.needed and consent.met and (consent.base, consent.required) == (9, 6)
    assert consent.approvals == ("乡（镇）人民政府批准",)
    assert consent.text.endswith("达到；表决通过后还须乡（镇）人民政府批准，批准前不能实施")
    # one representative short: the committee's votes do not make up for it
    short = _reps_vote({f"r{i}" for i in range(5)} | {"c0", "c1", "c2"}, people)
    assert short.passed                                       # the ordinary majority is there
    consent = land_consent(["土地发包给集体以外"], short, people, MEETING_DAY, RULES)
    assert not consent.met and consent.consenting == 5
    assert consent.text.startswith("土地事项须经全体村民代表的三分之二以上同意（不是到会人员）：全体9人，至少6人")


def test_land_by_villagers_meeting_counts_all_collective_members():
    people = villagers(12) + [Person("n1", "外来户", birth_date=date(1970, 1, 1), collective_member=False)]
    result = tally(VILLAGERS, people, attend([f"v{i}" for i in range(8)]), MEETING_DAY, RULES)
    consent = land_consent(["调整承包地"], result, people, MEETING_DAY, RULES)
    assert consent.met and (consent.base, consent.consenting) == (12, 8)
    assert consent.approvals == ("乡（镇）人民政府批准", "县级人民政府农业农村、林业和草原等主管部门批准")
    result = tally(VILLAGERS, people, attend([f"v{i}" for i in range(7)]), MEETING_DAY, RULES)
    assert result.passed and not land_consent(["调整承包地"], result, people, MEETING_DAY, RULES).met


def test_land_consent_cannot_come_from_household_representatives():
    people = villagers(6)
    result = tally(VILLAGERS, people, attend([f"v{i}" for i in range(6)]), MEETING_DAY, RULES,
                   basis=HOUSEHOLDS)
    consent = land_consent(["土地发包给集体以外"], result, people, MEETING_DAY, RULES)
    assert consent.needed and not consent.met and "不能按户代表计算" in consent.text


def test_ordinary_matters_need_no_land_consent():
    people = representatives(3)
    result = _reps_vote({"r0", "r1"}, people)
    assert land_consent(["公益事业"], result, people, MEETING_DAY, RULES) == land_consent(
        [], result, people, MEETING_DAY, RULES)
    assert not land_consent(["公益事业"], result, people, MEETING_DAY, RULES).needed
