"""一案双查: a substantiated case is not closed until the leaders' responsibility is reviewed.

Seed (新集镇意见 “严格责任追究”): "严格执行'一案双查'制度，既追究当事人责任，也追究部门负责人
的主体责任和监督责任" (RULES.md §4).  So a case found substantiated (查实) carries linked
reviews, one for each kind in ``supervision.double_check_reviews`` (主体责任, 监督责任), each
recorded with its own finding and handling:

* finding ``存在责任`` with the facts, and a handling from ``supervision.accountability_forms``
  (the forms of 问责: 检查, 通报, 改组, 诫勉, 组织调整或者组织处理, 纪律处分);
* or finding ``不存在责任`` with the facts, handled ``不予问责`` with the reason.

``close_gate`` says whether the case may be closed and, when not, exactly what is missing.
A case not substantiated needs no linked review.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from app.domain.supervision.rules import SupervisionRules

SEED = "新集镇意见“严格责任追究”：一案双查（RULES.md §4）"
LIABLE, NOT_LIABLE, NO_ACCOUNTABILITY = "存在责任", "不存在责任", "不予问责"


@dataclass(frozen=True)
class CloseGate:
    allowed: bool
    missing: tuple[str, ...] = ()
    source: str = SEED

    @property
    def message(self) -> str:
        if self.allowed:
            return ""
        return ("这件案件已查实，须同时查明主体责任和监督责任（一案双查）才能结案；还缺："
                + "；".join(self.missing))


def _review_problem(kind: str, review: Mapping[str, Any], rules: SupervisionRules) -> str | None:
    if not str(review.get("subject") or "").strip():
        return f"{kind}：写明被查的责任主体（单位或领导）"
    finding = review.get("finding")
    if finding not in (LIABLE, NOT_LIABLE) or not str(review.get("facts") or "").strip():
        return f"{kind}：认定结论（存在责任或不存在责任）和认定的事实"
    handling = review.get("handling") or []
    if finding == LIABLE:
        if not handling or any(h not in rules.accountability_forms for h in handling):
            return f"{kind}：问责方式（{'、'.join(rules.accountability_forms)}）"
    elif handling != [NO_ACCOUNTABILITY] or not str(review.get("reason") or "").strip():
        return f"{kind}：不予问责及其理由"
    return None


def close_gate(substantiated: bool, reviews: Iterable[Mapping[str, Any]],
               rules: SupervisionRules) -> CloseGate:
    """May the case be closed?  ``reviews``: the linked reviews, each with ``kind``."""
    if not substantiated:
        return CloseGate(True)
    reviews = list(reviews)
    missing = []
    for kind in rules.double_check_reviews:
        mine = [r for r in reviews if r.get("kind") == kind]
        if not mine:
            missing.append(f"{kind}的审查（认定和处理）")
            continue
        problems = [_review_problem(kind, r, rules) for r in mine]
        last = problems[-1]
        if all(problems) and last is not None:
            missing.append(last)
    return CloseGate(not missing, tuple(missing))
