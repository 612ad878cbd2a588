"""Composition checks on the village rosters, shown as warnings with their sources.

村民委员会组织法（2018年修正）:

* 第二十五条第一款: 村民代表 make up 五分之四以上 of the 村民代表会议's members (组成人员 =
  村委会成员 + 村民代表), and women 村民代表 三分之一以上 of those members
  (``decisions.representatives_share``, ``decisions.women_representatives_share``).
* 第六条第二款: the 村民委员会 has a woman member.

Someone who is both a 村委会 member and a 村民代表 is one member of the meeting; for the
two shares they count as a 村委会 member, not as a 村民代表 — the rule exists to keep the
committee from outweighing the representatives, so a committee member does not fill a
representative's place.  The warnings never block a meeting: an unbalanced roster is for
the village to correct at its next election, and the town sees it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from app.domain.decisions import roster as rosters
from app.domain.decisions.roster import Person
from app.domain.decisions.rules import DecisionRules
from app.domain.decisions.thresholds import Threshold, ratio_text

ART25 = "村民委员会组织法（2018年修正）第二十五条第一款"
ART6 = "村民委员会组织法（2018年修正）第六条第二款"


@dataclass(frozen=True)
class RosterWarning:
    code: str
    message: str
    source: str


def roster_warnings(people: Iterable[Person], rules: DecisionRules) -> list[RosterWarning]:
    people = rosters.check_roster(people)
    members = rosters.representatives_members(people)
    representatives = [p for p in members if p.representative and not p.committee_member]
    women = [p for p in representatives if p.female]
    out = []
    if members:
        share = Threshold(rules.representatives_share)
        if not share.met(len(representatives), len(members)):
            out.append(RosterWarning(
                "representatives_share",
                f"村民代表会议组成人员{len(members)}人，其中村民代表（不含兼任的村委会成员）"
                f"{ratio_text(len(representatives), len(members))}，不足{share.phrase}"
                f"（至少{share.minimum(len(members))}人）；请在推选村民代表时补足", ART25))
        female = Threshold(rules.women_representatives_share)
        if not female.met(len(women), len(members)):
            out.append(RosterWarning(
                "women_share",
                f"妇女村民代表{ratio_text(len(women), len(members))}，不足村民代表会议组成人员的"
                f"{female.phrase}（至少{female.minimum(len(members))}人）；请在推选村民代表时补足", ART25))
    committee = [p for p in people if p.committee_member]
    if committee and not any(p.female for p in committee):
        out.append(RosterWarning("committee_woman", "村民委员会成员中没有妇女成员；换届选举时应当有妇女成员", ART6))
    return out
