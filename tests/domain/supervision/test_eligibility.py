"""村务监督委员会: who may serve (组织法 Art 32; 河南省实施办法 Art 56; 近亲属 per 民法典 Art 1045)."""
from __future__ import annotations

import pytest

from app.domain.supervision.eligibility import Member, candidate_findings, committee_eligibility
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.kinship import INVERSE, relation_between
from tests.domain.supervision.support import RULES, rules_with

CHAIR = Member("c1", "张主任", posts=("村民委员会成员",))
CLERK = Member("c2", "李委员", posts=("村民委员会成员",))
VILLAGE = [CHAIR, CLERK]


def _codes(candidate, relations=(), rules=RULES):
    return [f.code for f in candidate_findings(candidate, VILLAGE, relations, rules)]


@pytest.mark.parametrize("relation", ["配偶", "父母", "子女", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "外孙子女"])
def test_every_close_relative_of_a_committee_member_is_barred(relation):
    candidate = Member("s1", "王某")
    findings = candidate_findings(candidate, VILLAGE, [{"a": "c1", "relation": relation, "b": "s1"}], RULES)
    assert [f.code for f in findings] == ["close_relative"]
    assert findings[0].message == f"王某是村民委员会成员张主任的{relation}（近亲属），不能担任村务监督委员会成员"


def test_the_relation_counts_whichever_side_it_was_entered_from():
    candidate = Member("s1", "王某")
    # entered from the candidate's side: 张主任 is 王某's 父母 → 王某 is 张主任's 子女
    edges = [{"a": "s1", "relation": "父母", "b": "c1"}]
    assert candidate_findings(candidate, VILLAGE, edges, RULES)[0].message.startswith(
        "王某是村民委员会成员张主任的子女")
    assert all(INVERSE[INVERSE[r]] == r for r in INVERSE)


def test_in_laws_are_not_close_relatives_unless_the_town_adds_them():
    edges = [{"a": "c1", "relation": "子女的配偶", "b": "s1"}]       # 王某 is the chair's son-in-law
    assert _codes(Member("s1", "王某"), edges) == []
    father_in_law = [{"a": "c1", "relation": "配偶的父母", "b": "s2"}]
    assert _codes(Member("s2", "刘某"), father_in_law) == []
    parents_in_law = rules_with(close_relatives=RULES.close_relatives + ["配偶的父母"])
    assert _codes(Member("s1", "王某"), edges, parents_in_law) == []   # the other direction only
    children_in_law = rules_with(close_relatives=RULES.close_relatives + ["子女的配偶"])
    assert _codes(Member("s1", "王某"), edges, children_in_law) == ["close_relative"]
    # entered from 王某's side (the chair is 王某's 配偶的父母): the same finding
    reverse = [{"a": "s1", "relation": "配偶的父母", "b": "c1"}]
    assert _codes(Member("s1", "王某"), reverse, children_in_law) == ["close_relative"]


def test_committee_members_and_the_bookkeeper_are_barred_but_a_branch_member_is_not():
    assert _codes(CHAIR) == ["barred_post"]
    findings = candidate_findings(Member("s2", "赵某", posts=("村报账员",)), VILLAGE, [], RULES)
    assert findings[0].source.startswith("河南省实施《中华人民共和国村民委员会组织法》办法")
    assert _codes(Member("s3", "钱某", posts=("村党支部委员",))) == []
    assert _codes(Member("s4", "孙某", villager=False)) == ["not_villager"]


def test_unknown_relations_are_refused():
    with pytest.raises(SupervisionError):
        relation_between("a", "b", [{"a": "a", "relation": "朋友", "b": "b"}], RULES.close_relatives)


def test_committee_needs_accounting_knowledge_and_at_most_five():
    members = [Member(f"s{i}", f"成员{i}", management=True) for i in range(3)]
    result = committee_eligibility(members, VILLAGE, [], RULES)
    assert not result.ok and [f.code for f in result.problems] == ["no_accounting"]
    members[0] = Member("s0", "成员0", accounting=True, management=True)
    three = committee_eligibility(members, VILLAGE, [], RULES)
    assert three.ok and three.warnings == ()
    five = members + [Member(f"t{i}", f"成员t{i}") for i in range(2)]
    assert committee_eligibility(five, VILLAGE, [], RULES) == three
    six = members + [Member(f"t{i}", f"成员t{i}") for i in range(3)]
    assert [f.code for f in committee_eligibility(six, VILLAGE, [], RULES).problems] == ["too_many"]
    two = committee_eligibility(members[:2], VILLAGE, [], RULES)
    assert two.ok and [f.code for f in two.warnings] == ["too_few"]
