"""社会稳定风险评估: grade criteria, the advisory suggestion, and the decision gate.

RULES.md §2 (发改投资〔2012〕2492号: the grades in Art 4, the gate in Art 8; local steps):
    高  most people object and react very strongly; a large group incident is possible
        (大部分群众有意见、反应特别强烈，可能引发大规模群体性事件)
    中  some people object and react strongly; conflict is possible
        (部分群众有意见、反应强烈，可能引发矛盾冲突)
    低  most people understand and support it; the few objections can be handled
        (多数群众理解支持但少部分人有意见，通过有效工作可防范和化解矛盾)
Gate (Art 8): 高 and 中 do not proceed; 低 proceeds with control measures
(``risk.proceed_allowed_grades``, ``risk.low_requires_measures``; a town may only make
them stricter — their legal bounds in defaults.json).  The seed's 决策前论证备案制度: what
is found illegal, infeasible *or likely to cause serious conflict* may not be put to a
decision at all — whatever the grade, a 不符合 on legality, feasibility or controllability
(可控性) blocks 实施 (``risk.blocking_dimensions``, which must keep all three).  The
decision is collective: at least ``risk.decision_min_attendees`` people (default 3, the
smallest 村委会 — 村民委员会组织法 Art 6); a one-person "collective decision" is refused.

The grade is the assessors' judgement.  ``suggest_grade`` only turns the opinion tallies
into a starting point with stated thresholds (``risk.high_object_share`` "大部分" = more
than half; ``risk.medium_object_share`` and ``risk.medium_strong_share`` for "部分…强烈",
our defaults); grading below the suggestion needs written reasons.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from app.domain.config import Config

GRADES = ("低", "中", "高")
GRADE_RANK = {grade: rank for rank, grade in enumerate(GRADES)}
DECISIONS = ("实施", "暂缓实施", "不实施")
DIMENSIONS = {"legality": "合法性", "reasonableness": "合理性", "feasibility": "可行性",
              "controllability": "可控性"}
FINDINGS = ("符合", "基本符合", "不符合")
GATE_SOURCE = "发改投资〔2012〕2492号第八条：高风险、中风险不实施，低风险有防控措施的可以实施"
BLOCK_SOURCE = "新集镇意见二（一）：经论证不合法、不可行或容易引发严重社会矛盾的，不能提交进行决策"

CRITERIA = {
    "高": "大部分群众有意见、反应特别强烈，可能引发大规模群体性事件",
    "中": "部分群众有意见、反应强烈，可能引发矛盾冲突",
    "低": "多数群众理解支持，少部分人有意见，通过有效工作可以防范和化解",
}


@dataclass(frozen=True)
class RiskRules:
    proceed_allowed_grades: tuple[str, ...] = ("低",)
    low_requires_measures: bool = True
    blocking_dimensions: tuple[str, ...] = ("legality", "feasibility", "controllability")
    decision_min_attendees: int = 3
    high_object_share: float = 0.5
    medium_object_share: float = 0.2
    medium_strong_share: float = 0.05

    @classmethod
    def from_config(cls, config: Config) -> "RiskRules":
        v = config.value
        return cls(
            proceed_allowed_grades=tuple(v("risk.proceed_allowed_grades")),
            low_requires_measures=bool(v("risk.low_requires_measures")),
            blocking_dimensions=tuple(v("risk.blocking_dimensions")),
            decision_min_attendees=int(v("risk.decision_min_attendees")),
            high_object_share=float(v("risk.high_object_share")),
            medium_object_share=float(v("risk.medium_object_share")),
            medium_strong_share=float(v("risk.medium_strong_share")),
        )


@dataclass(frozen=True)
class Tally:
    participants: int
    objecting: int
    strongly_objecting: int

    @property
    def object_share(self) -> float:
        return self.objecting / self.participants if self.participants else 0.0

    @property
    def strong_share(self) -> float:
        return self.strongly_objecting / self.participants if self.participants else 0.0


def tally(opinions: Iterable[Mapping[str, Any]]) -> Tally:
    """Sum the counts of every opinion round (公示, 问卷, 走访, 座谈, 听证)."""
    total = objecting = strong = 0
    for opinion in opinions:
        total += int(opinion.get("participants") or 0)
        objecting += int(opinion.get("objecting") or 0)
        strong += int(opinion.get("strongly_objecting") or 0)
    return Tally(total, objecting, strong)


@dataclass(frozen=True)
class Suggestion:
    grade: str
    reason: str


def suggest_grade(counts: Tally, rules: RiskRules = RiskRules()) -> Suggestion:
    """An advisory grade from the tallies (see module docstring for the thresholds)."""
    if counts.participants == 0:
        return Suggestion("中", "尚未统计到群众意见人数，按中风险对待，请补充征求意见情况")
    share = f"反对{counts.objecting}人，占{counts.object_share:.0%}"
    strong = f"强烈反对{counts.strongly_objecting}人，占{counts.strong_share:.0%}"
    if counts.object_share > rules.high_object_share:
        return Suggestion("高", f"征求意见{counts.participants}人，{share}，超过{rules.high_object_share:.0%}"
                                f"（大部分群众有意见）")
    if (counts.object_share > rules.medium_object_share
            or counts.strong_share > rules.medium_strong_share):
        return Suggestion("中", f"征求意见{counts.participants}人，{share}，{strong}（部分群众有意见）")
    return Suggestion("低", f"征求意见{counts.participants}人，{share}（多数群众理解支持）")


@dataclass(frozen=True)
class Gate:
    allowed: bool
    message: str


def proceed_gate(grade: str | None, measures: Iterable[str], analysis: Mapping[str, Any] | None,
                 rules: RiskRules = RiskRules()) -> Gate:
    """May the collective decision be 实施?  Says why not, in Chinese, with its source."""
    if grade is None:
        return Gate(False, "还没有确定风险等级，不能作出实施决定")
    blocked = [DIMENSIONS[d] for d in rules.blocking_dimensions
               if (analysis or {}).get(d, {}).get("finding") == "不符合"]
    if blocked:
        return Gate(False, f"评估认定{'、'.join(blocked)}不符合要求，不得提交决策实施"
                           f"（{BLOCK_SOURCE}）；请修改方案后重新评估")
    if grade not in rules.proceed_allowed_grades:
        allowed = "、".join(rules.proceed_allowed_grades) or "无"
        return Gate(False, f"风险等级为{grade}，按规定只能决定暂缓实施或不实施（可实施的等级：{allowed}；"
                           f"{GATE_SOURCE}）；落实化解措施后可重新评估")
    if grade == "低" and rules.low_requires_measures and not [m for m in measures if m.strip()]:
        return Gate(False, "低风险事项须有防范化解措施才能实施，请先在风险等级中写明防控措施")
    return Gate(True, "")
