"""Who may sit on the 村务监督委员会, and whether the committee as a whole is lawful.

* 村民委员会组织法（2018年修正）第三十二条: members are chosen by the 村民会议 or 村民代表会议
  "在村民中" (from among the villagers); "其中应有具备财会、管理知识的人员"; "村民委员会成员及其
  近亲属不得担任村务监督机构成员".
* 河南省实施《中华人民共和国村民委员会组织法》办法（2011年）第五十六条: generally three
  members, no more than five in a populous village; besides 村委会 members and their close
  relatives, the 村报账员 may not serve either.

The barred posts (``supervision.barred_posts``) and the close relatives
(``supervision.close_relatives``, kinship.py) are config; a town may add to both, never
remove the statutory ones.  A party-branch member who is not on the 村委会 is not barred
(the 2017 中办国办 guidance even suggests such a member as chair).  Findings are either
problems (the candidate may not serve / the committee is unlawful) or warnings (unusual,
to look at), each with its source.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from app.domain.supervision.kinship import relation_between
from app.domain.supervision.rules import SupervisionRules

ORG_LAW = "村民委员会组织法（2018年修正）第三十二条"
HENAN = "河南省实施《中华人民共和国村民委员会组织法》办法（2011年）第五十六条"
COMMITTEE_POST = "村民委员会成员"


@dataclass(frozen=True)
class Member:
    """A villager as the supervision rules see them."""

    id: str
    name: str
    villager: bool = True
    posts: tuple[str, ...] = ()        # "村民委员会成员", "村报账员", "村党支部委员", …
    accounting: bool = False           # 具备财会知识
    management: bool = False           # 具备管理知识


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    source: str


@dataclass(frozen=True)
class Eligibility:
    problems: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def candidate_findings(candidate: Member, village: Iterable[Member],
                       relations: Iterable[Mapping[str, Any]], rules: SupervisionRules,
                       ) -> list[Finding]:
    """Why ``candidate`` may not serve (empty: eligible)."""
    out = []
    if not candidate.villager:
        out.append(Finding("not_villager", f"{candidate.name}不是本村村民；监督委员会成员在村民中推选产生",
                           ORG_LAW))
    for post in candidate.posts:
        if post in rules.barred_posts:
            source = ORG_LAW if post == COMMITTEE_POST else HENAN
            out.append(Finding("barred_post", f"{candidate.name}是{post}，不能担任村务监督委员会成员", source))
    committee = [m for m in village if COMMITTEE_POST in m.posts and m.id != candidate.id]
    edges = list(relations)
    for member in committee:
        relation = relation_between(member.id, candidate.id, edges, rules.close_relatives)
        if relation:
            out.append(Finding(
                "close_relative",
                f"{candidate.name}是村民委员会成员{member.name}的{relation}（近亲属），"
                "不能担任村务监督委员会成员", f"{ORG_LAW}；民法典第一千零四十五条第二款"))
    return out


def committee_eligibility(members: Sequence[Member], village: Iterable[Member],
                          relations: Iterable[Mapping[str, Any]], rules: SupervisionRules,
                          ) -> Eligibility:
    """Each member's eligibility, and the committee's size and skills."""
    village = list(village)
    relations = list(relations)
    problems = [f for m in members for f in candidate_findings(m, village, relations, rules)]
    warnings = []
    if len(members) > rules.committee_max_members:
        problems.append(Finding("too_many", f"村务监督委员会{len(members)}人，超过{rules.committee_max_members}人",
                                HENAN))
    elif len(members) < rules.committee_usual_members:
        warnings.append(Finding("too_few", f"村务监督委员会只有{len(members)}人，一般应由"
                                f"{rules.committee_usual_members}人组成", HENAN))
    if rules.accounting_member_required and members and not any(m.accounting for m in members):
        problems.append(Finding("no_accounting", "村务监督委员会成员中应有具备财会知识的人员", ORG_LAW))
    if members and not any(m.management for m in members):
        warnings.append(Finding("no_management", "村务监督委员会成员中最好有具备管理知识的人员", ORG_LAW))
    return Eligibility(tuple(problems), tuple(warnings))
