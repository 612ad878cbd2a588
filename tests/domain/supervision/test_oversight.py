"""The 村务监督委员会's opinions (issue #13 §3), pure: an opinion is signed by a member of
the sending village's own committee; only a town station of that village's town answers
(not the village itself, not a neighbouring town); refused events are kept aside and
change nothing; the answered-on-time count per village for the 百分制."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.oversight import (
    ANSWERED, INSPECTED, SENT, answered_on_time, check_report, fold_opinion, inspection_ok)
from app.domain.supervision.town_group import group_findings
from app.domain.supervision.member_keys import KEY_CERTIFIED, MemberKeys, certified_keys
from app.services.member_keys import verify
from tests.domain.supervision.support import RULES, member_key, signed

LEVELS = {"v1": "village", "v2": "village", "t1": "town", "t2": "town", "x1": "village"}
PARENTS = {"v1": "hubA", "v2": "hubA", "t1": "hubA", "t2": "hubB", "x1": "hubB"}
MEMBERS = {"v1": ["m1", "m2"], "v2": ["m9"]}
# every member's own key, certified by their town's station t1
PRIVATE = {slot: member_key() for slot in (("v1", "m1"), ("v1", "m2"), ("v2", "m9"))}
KEYS = MemberKeys(certified_keys([
    {"type": KEY_CERTIFIED, "origin": "t1", "hlc": i, "record": f"k{i}",
     "payload": {"village": v, "member": {"id": m, "name": "成员"}, "key": public}}
    for i, ((v, m), (_, public)) in enumerate(PRIVATE.items())], LEVELS, PARENTS), verify)


def ev(kind: str, origin: str, hlc: int, payload: dict, record: str = "op1") -> dict:
    return {"id": f"{kind}-{origin}-{hlc}", "type": kind, "origin": origin, "hlc": hlc,
            "seq": hlc, "record": record, "payload": payload}


def sent(origin: str = "v1", member: str = "m1", on: str = "2026-11-02",
         record: str = "op1") -> dict:
    """An opinion signed by the member's own key (by v1's m1 when the member has none)."""
    event = ev(SENT, origin, 1, {"member": {"id": member, "name": "王德明"}, "on": on,
                                 "subject": "村级财务", "text": "修路款支出没有公开明细"}, record)
    private, _ = PRIVATE.get((origin, member), PRIVATE[("v1", "m1")])
    return signed(event, private)


def answered(origin: str = "t1", on: str = "2026-11-10", hlc: int = 2) -> dict:
    return ev(ANSWERED, origin, hlc, {"on": on, "answer": "已责成村委会三日内公开明细",
                                      "by": {"name": "赵镇长"}})


def fold(*events: dict):
    return fold_opinion(events, LEVELS, PARENTS, MEMBERS, keys=KEYS)


def test_a_member_sends_and_the_villages_own_town_answers() -> None:
    opinion = fold(sent(), answered())
    assert opinion.village == "v1" and opinion.member["id"] == "m1"
    assert opinion.answered_on == date(2026, 11, 10) and not opinion.rejected
    assert opinion.status(RULES.opinion_answer_days, date(2026, 12, 1)) == "已答复"


@pytest.mark.parametrize("who, code", [("v1", "wrong_level"), ("t2", "not_our_town"),
                                       ("x1", "wrong_level")])
def test_nobody_but_the_villages_own_town_answers(who: str, code: str) -> None:
    opinion = fold(sent(), answered(origin=who))
    assert opinion.answers == ()
    assert [r.code for r in opinion.rejected] == [code]


@pytest.mark.parametrize("origin, member, code", [
    ("v1", "m9", "not_member"),      # a member of another village's committee
    ("v1", "c1", "not_member"),      # a plain cadre of the village
    ("v2", "m1", "not_member"),      # v1's member, written at v2
    ("t1", "m1", "wrong_level")])    # the town cannot write the committee's opinion
def test_only_a_member_of_the_senders_own_committee_signs(origin: str, member: str,
                                                         code: str) -> None:
    opinion = fold(sent(origin=origin, member=member))
    assert opinion.village == "" and [r.code for r in opinion.rejected] == [code]
    # and an answer to it applies to nothing
    assert fold(sent(origin=origin, member=member), answered()).answers == ()


def test_an_answer_before_the_opinion_was_sent_or_without_words_is_refused() -> None:
    early = fold(sent(), answered(on="2026-11-01"))
    assert early.answers == () and early.rejected[0].code == "date"
    empty = fold(sent(), ev(ANSWERED, "t1", 2, {"on": "2026-11-05", "answer": "  ", "by": {"name": "赵"}}))
    assert empty.answers == () and "答复意见" in empty.rejected[0].message


def test_a_report_without_subject_or_words_says_what_to_fill() -> None:
    base = {"member": {"id": "m1", "name": "王德明"}, "on": "2026-11-02"}
    with pytest.raises(SupervisionError, match="请选择监督事项"):
        check_report({**base, "subject": "别的", "text": "x"}, ["m1"])
    with pytest.raises(SupervisionError, match="看到的情况或意见"):
        check_report({**base, "subject": "村务公开", "text": ""}, ["m1"])
    with pytest.raises(SupervisionError, match="2026-03-10"):
        check_report({**base, "on": "11月2日", "subject": "村务公开", "text": "x"}, ["m1"])


def test_an_inspection_stands_when_its_signer_is_on_the_committee() -> None:
    good = signed(ev(INSPECTED, "v1", 1, {"member": {"id": "m2", "name": "李"}, "on": "2026-11-01",
                                          "subject": "村务公开", "findings": "公开栏10月财务未更新"}),
                  PRIVATE[("v1", "m2")][0])
    assert inspection_ok(good, LEVELS, MEMBERS, keys=KEYS) is None
    forged = {**good, "payload": {**good["payload"], "member": {"id": "c1", "name": "王振华"}}}
    assert inspection_ok(forged, LEVELS, MEMBERS, keys=KEYS).code == "not_member"
    # m1's name on it, signed with m2's key: the signature is not m1's
    posing = signed({**good, "payload": {**good["payload"], "member": {"id": "m1", "name": "王"}}},
                    PRIVATE[("v1", "m2")][0])
    assert inspection_ok(posing, LEVELS, MEMBERS, keys=KEYS).code == "member_signature_bad"


def test_answered_on_time_per_village() -> None:
    days = RULES.opinion_answer_days
    assert days == 15
    on_time = fold(sent(), answered(on="2026-11-17"))                      # day 15: on time
    late = fold(sent(on="2026-10-01", record="op2"), answered(on="2026-11-20") | {"record": "op2"})
    open_overdue = fold(sent(on="2026-10-20", record="op3"))
    open_not_due = fold(sent(on="2026-11-25", record="op4"))
    other = fold(sent(origin="v2", member="m9", record="op5"))
    counts = answered_on_time([on_time, late, open_overdue, open_not_due, other], days,
                              date(2026, 11, 27))
    assert (counts["v1"].good, counts["v1"].bad, counts["v1"].pending) == (1, 2, 1)
    assert (counts["v2"].good, counts["v2"].bad) == (0, 1)
    assert "按期答复1条" in counts["v1"].text
    assert late.status(days, date(2026, 11, 27)) == "已答复（逾期）"
    assert open_overdue.status(days, date(2026, 11, 27)) == "超期未答复"


def test_the_town_group_needs_one_leader_and_no_village_committee_member() -> None:
    good = [{"name": "周纪委", "post": "组长"}, {"name": "吴干事", "post": "成员"}]
    assert group_findings(good) == []
    codes = {f.code for f in group_findings(
        [{"name": "王振华", "post": "成员"}, {"name": "王振华", "post": "成员"}], ["王振华"])}
    assert codes == {"leader", "twice", "barred_post"}
    assert group_findings([])[0].code == "empty"
