"""Attendance and votes of one meeting judged against the roster (RULES.md §3)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.decisions.errors import DecisionError
from app.domain.decisions.meetings import (
    GROUP, HOUSEHOLDS, PARTY, REPRESENTATIVES, VILLAGERS, Attendance, tally)
from app.domain.decisions.roster import Person, birthday_in, is_adult
from tests.domain.decisions.support import (
    MEETING_DAY, RULES, attend, party, representatives, rules_with, villagers)


def _party(present: int, for_votes: int, full: int = 9, **kw):
    people = party(full, **kw)
    records = attend([f"p{i}" for i in range(for_votes)]) + attend(
        [f"p{i}" for i in range(for_votes, present)], vote="反对")
    return tally(PARTY, people, records, MEETING_DAY, RULES)


def test_party_meeting_exactly_two_thirds_attend_and_more_than_half_of_expected_approve():
    result = _party(present=6, for_votes=5)
    assert (len(result.expected), len(result.present)) == (9, 6)
    assert result.attendance.required == 6 and result.attendance.met
    assert result.approval.base_name == "应到" and result.approval.base == 9
    assert result.approval.required == 5 and result.passed
    assert result.explain().splitlines() == [
        "党员大会：应到9人，实到6人（其中电话、视频参加0人），出席比例6/9（66.67%）",
        "出席：应到9人的三分之二以上，至少6人；实际6人，达到",
        "表决：赞成5人，反对1人，弃权0人，未表决0人",
        "表决：应到9人的过半数，至少5人；实际5人，达到",
        "结果：通过",
    ]


def test_party_meeting_one_short_of_two_thirds_fails_with_the_reason():
    result = _party(present=5, for_votes=5)
    assert not result.passed and result.approval.met and not result.attendance.met
    assert result.reasons == ("出席人数不足（出席：应到9人的三分之二以上，至少6人；实际5人，未达到），"
                              "会议不能作出决定；请另行召开，并提前通知未到的人",)
    assert result.explain().endswith("结果：未通过。" + result.reasons[0])


def test_party_approval_counts_against_those_who_should_attend_not_those_present():
    # 10 full members, 7 present, 5 for: a majority of those present, not of 应到 (needs 6)
    result = _party(present=7, for_votes=5, full=10)
    assert result.attendance.met and not result.approval.met
    assert result.reasons == ("赞成人数不足（表决：应到10人的过半数，至少6人；实际5人，未达到）",)


def test_probationary_members_attend_without_a_vote_and_excluded_members_leave_the_base():
    people = party(6, probationary=2, excluded=1)
    records = attend(["p0", "p1", "p2", "p3"]) + attend(["y0", "y1"], vote="赞成")
    result = tally(PARTY, people, records, MEETING_DAY, RULES)
    assert len(result.expected) == 6                     # the excluded full member is out
    assert result.not_counted == ("y0", "y1") and result.count("赞成") == 4
    assert result.passed
    assert "列席或无表决权、不计入：预备0、预备1" in result.explain({p.id: p.name for p in people})


def test_an_empty_roster_never_has_a_quorum():
    result = tally(REPRESENTATIVES, [], [], MEETING_DAY, RULES)
    assert not result.passed
    assert result.reasons == ("花名册上没有应到人员，不能开会表决；请先登记花名册",)


def test_representatives_meeting_abstentions_count_against_the_motion():
    people = representatives(8, committee=1)                  # 9 members
    records = (attend(["r0", "r1", "r2"]) + attend(["r3", "r4"], vote="弃权")
               + attend(["r5"], vote=None))                      # 6 present, 3 for
    result = tally(REPRESENTATIVES, people, records, MEETING_DAY, RULES)
    assert result.attendance.met and result.approval.base == 6 and result.approval.required == 4
    assert not result.passed and result.not_voted == 1
    records[3] = Attendance("r3", vote="赞成")
    assert tally(REPRESENTATIVES, people, records, MEETING_DAY, RULES).passed


def test_proxies_are_recorded_but_not_counted():
    people = representatives(9)
    records = attend([f"r{i}" for i in range(5)]) + [Attendance("r5", "委托", "赞成", "代表0")]
    result = tally(REPRESENTATIVES, people, records, MEETING_DAY, RULES)
    assert len(result.present) == 5 and not result.attendance.met   # 6 needed
    assert [p.person for p in result.proxies] == ["r5"] and "r5" in result.absent
    assert ("书面委托1人（代表5委托代表0）：已记录，不计入实到和表决（法律只在选举中规定委托投票）"
            in result.explain({p.id: p.name for p in people}))


def test_all_proxies_give_no_quorum():
    people = representatives(3)
    records = [Attendance(f"r{i}", "委托", "赞成", "某某") for i in range(3)]
    result = tally(REPRESENTATIVES, people, records, MEETING_DAY, RULES)
    assert (len(result.present), len(result.proxies), result.passed) == (0, 3, False)


def test_a_proxy_without_a_holder_is_refused():
    with pytest.raises(DecisionError) as info:
        tally(REPRESENTATIVES, representatives(3), [Attendance("r0", "委托", "赞成")],
              MEETING_DAY, RULES)
    assert info.value.message == "书面委托须写明受委托人"


def test_remote_participants_count_as_present_and_their_votes_are_marked():
    people = representatives(9)
    records = (attend(["r0", "r1", "r2", "r3"]) + attend(["r4"], mode="电话")
               + attend(["r5"], mode="视频", vote="反对"))
    result = tally(REPRESENTATIVES, people, records, MEETING_DAY, RULES)
    assert result.passed and result.remote == ("r4", "r5") and result.remote_votes == ("r4", "r5")
    assert "（远程表决2人，已标明）" in result.explain()
    # a town that does not accept remote participation: the same meeting has no quorum
    strict = tally(REPRESENTATIVES, people, records, MEETING_DAY,
                   rules_with(remote_counts_as_present=False))
    assert len(strict.present) == 4 and not strict.passed


def test_villagers_meeting_by_adults_counts_only_those_eighteen_and_over():
    people = villagers(10, minors=4)
    result = tally(VILLAGERS, people, attend([f"v{i}" for i in range(6)]) + attend(["m0"]),
                   MEETING_DAY, RULES)
    assert len(result.expected) == 10 and result.not_counted == ("m0",)
    assert result.attendance.required == 6 and result.passed
    five = tally(VILLAGERS, people, attend([f"v{i}" for i in range(5)]), MEETING_DAY, RULES)
    assert not five.attendance.met                               # exactly half is not 过半数


def test_villagers_meeting_by_household_representatives():
    people = villagers(12, per_household=2)                     # 6 households
    result = tally(VILLAGERS, people, attend(["v0", "v2", "v4", "v6"]), MEETING_DAY, RULES,
                   basis=HOUSEHOLDS)
    assert result.expected == ("h0", "h1", "h2", "h3", "h4", "h5") and result.attendance.met
    short = tally(VILLAGERS, people, attend(["v0", "v2", "v4"]), MEETING_DAY, RULES, basis=HOUSEHOLDS)
    assert not short.attendance.met
    with pytest.raises(DecisionError) as info:
        tally(VILLAGERS, people, attend(["v0", "v1"]), MEETING_DAY, RULES, basis=HOUSEHOLDS)
    assert info.value.message == "同一户只能由一名户代表参加（h0），请删去重复的一条"


def test_group_meeting_needs_two_thirds_of_the_group():
    people = villagers(9) + [Person("o1", "二组村民", birth_date=date(1970, 1, 1), group="二组")]
    result = tally(GROUP, people, attend([f"v{i}" for i in range(6)]), MEETING_DAY, RULES, group="一组")
    assert len(result.expected) == 9 and result.passed
    short = tally(GROUP, people, attend([f"v{i}" for i in range(5)]), MEETING_DAY, RULES, group="一组")
    assert not short.passed
    with pytest.raises(DecisionError):
        tally(GROUP, people, [], MEETING_DAY, RULES)


@pytest.mark.parametrize("records, message", [
    ([Attendance("nobody")], "出席登记中的“nobody”不在花名册上，请先登记到花名册"),
    ([Attendance("r0"), Attendance("r0")], "同一人登记了两次（r0），请删去重复的一条"),
    ([Attendance("r0", "托人")], "参加方式“托人”不对，应为到场、电话、视频或委托"),
    ([Attendance("r0", vote="同意")], "表决意见“同意”不对，应为赞成、反对或弃权"),
])
def test_bad_attendance_records_are_refused_in_chinese(records, message):
    with pytest.raises(DecisionError) as info:
        tally(REPRESENTATIVES, representatives(3), records, MEETING_DAY, RULES)
    assert info.value.message == message


def test_age_eighteen_on_the_birthday_and_leap_day_births():
    born = Person("a", "甲", birth_date=date(2008, 3, 20))
    assert is_adult(born, date(2026, 3, 20)) and not is_adult(born, date(2026, 3, 19))
    leap = Person("b", "乙", birth_date=date(2008, 2, 29))
    assert birthday_in(2026, date(2008, 2, 29)) == date(2026, 2, 28)
    assert is_adult(leap, date(2026, 2, 28)) and not is_adult(leap, date(2026, 2, 27))
    assert not is_adult(Person("c", "丙"), date(2026, 1, 1))      # no birth date: ask


@given(st.integers(min_value=0, max_value=40), st.data())
def test_quorum_is_monotone_in_attendance(size, data):
    """Adding an attendee never turns a met quorum into an unmet one."""
    people = representatives(size)
    order = data.draw(st.permutations([p.id for p in people]))
    was_met = False
    for n in range(len(order) + 1):
        result = tally(REPRESENTATIVES, people, attend(order[:n]), MEETING_DAY, RULES)
        assert not (was_met and not result.attendance.met)
        was_met = result.attendance.met
    if size:
        assert was_met                                           # everyone present: quorum


@given(st.integers(min_value=1, max_value=30), st.data())
def test_party_approval_is_monotone_in_votes_for(size, data):
    people = party(size)
    present = data.draw(st.integers(min_value=0, max_value=size))
    passed_before = False
    for for_votes in range(present + 1):
        records = attend([f"p{i}" for i in range(for_votes)]) + attend(
            [f"p{i}" for i in range(for_votes, present)], vote="反对")
        result = tally(PARTY, people, records, MEETING_DAY, RULES)
        assert not (passed_before and not result.approval.met)
        passed_before = result.approval.met


# Boundaries where two neighbouring phrases give different answers (so a changed default
# is noticed): 2/3 vs 3/5 of 10 is 7 vs 6; more than half vs 3/5 of 7 is 4 vs 5.

def test_representatives_quorum_of_ten_is_seven():
    people = representatives(10)
    assert not tally(REPRESENTATIVES, people, attend([f"r{i}" for i in range(6)]), MEETING_DAY, RULES).passed
    assert tally(REPRESENTATIVES, people, attend([f"r{i}" for i in range(7)]), MEETING_DAY, RULES).passed


def test_representatives_majority_of_seven_present_is_four():
    people = representatives(10)
    records = attend([f"r{i}" for i in range(4)]) + attend([f"r{i}" for i in range(4, 7)], vote="反对")
    result = tally(REPRESENTATIVES, people, records, MEETING_DAY, RULES)
    assert result.approval.required == 4 and result.passed


def test_villagers_meeting_majority_of_those_present():
    people = villagers(12)
    seven = attend([f"v{i}" for i in range(4)]) + attend([f"v{i}" for i in range(4, 7)], vote="反对")
    assert tally(VILLAGERS, people, seven, MEETING_DAY, RULES).passed          # 4 of 7
    ten = attend([f"v{i}" for i in range(5)]) + attend([f"v{i}" for i in range(5, 10)], vote="弃权")
    result = tally(VILLAGERS, people, ten, MEETING_DAY, RULES)
    assert result.attendance.met and not result.approval.met                  # 5 of 10 is not 过半数


def test_villagers_meeting_of_ten_households_needs_seven():
    people = villagers(10)                                                   # one adult per household
    six = tally(VILLAGERS, people, attend([f"v{i}" for i in range(6)]), MEETING_DAY, RULES, basis=HOUSEHOLDS)
    seven = tally(VILLAGERS, people, attend([f"v{i}" for i in range(7)]), MEETING_DAY, RULES, basis=HOUSEHOLDS)
    assert (six.attendance.met, seven.attendance.met) == (False, True)


@pytest.mark.parametrize("basis", ["adults", HOUSEHOLDS])
def test_group_meeting_of_ten_needs_seven_and_a_majority_of_those_present(basis):
    people = villagers(10)
    six = tally(GROUP, people, attend([f"v{i}" for i in range(6)]), MEETING_DAY, RULES, basis=basis, group="一组")
    assert not six.attendance.met
    seven = attend([f"v{i}" for i in range(4)]) + attend([f"v{i}" for i in range(4, 7)], vote="反对")
    assert tally(GROUP, people, seven, MEETING_DAY, RULES, basis=basis, group="一组").passed
    split = attend([f"v{i}" for i in range(4)]) + attend([f"v{i}" for i in range(4, 8)], vote="反对")
    assert not tally(GROUP, people, split, MEETING_DAY, RULES, basis=basis, group="一组").approval.met
