"""Scores, totals, ranking and star bands of the 百分制 assessment, in exact arithmetic.

* A 定量 criterion (measures.py): 比例 — weight × good / total; 扣分 — weight minus
  ``deduct`` per bad item, not below 0.  With no data at all (total 0) the town's policy
  ``supervision.assessment_empty_data`` applies: 满分 (no such work this year, nothing
  to deduct — the usual rule of 考核细则), or 不计入 (the criterion is left out and the
  total is rescaled to 100 over the others).
* A 定性 criterion is scored by named assessors, each from 0 to the weight.  With at least
  ``supervision.assessment_trim_min_assessors`` (5) scores, the
  ``supervision.assessment_trim_each_end`` (1) highest and lowest are dropped before
  averaging — "去掉一个最高分、一个最低分" as in the usual 民主测评 and review panels; with
  fewer the plain average is used (trimming three scores would leave one person's say).
* Totals, parts (组织认定, 群众评判) and the ranking use exact fractions; a score is shown
  rounded half up to ``supervision.assessment_display_decimals`` (2) places, and units are
  ranked on the *shown* total, so two units shown with the same score share a rank
  (competition ranking: 1, 2, 2, 4) — nobody is ranked below a unit showing the same score.
* Star bands for village party secretaries (星级化管理; seed "探索村（社区）党支部书记星级化
  管理"): ``supervision.star_bands`` — the most stars whose minimum the shown total reaches;
  below every band: 不评星.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.measures import count
from app.domain.supervision.rules import SupervisionRules
from app.domain.supervision.scheme import (
    DEDUCTION, FULL, PARTS, QUANTITATIVE, Criterion, Scheme, exact, show)

FULL_MARKS, LEFT_OUT = "满分", "不计入"


@dataclass(frozen=True)
class CriterionScore:
    criterion: Criterion
    points: Fraction
    text: str              # how it was computed, in Chinese
    counted: bool = True


@dataclass(frozen=True)
class UnitScore:
    unit: str
    criteria: tuple[CriterionScore, ...]
    total: Fraction
    parts: Mapping[str, Fraction]
    note: str = ""


def shown(value: Fraction, places: int) -> Decimal:
    """Round half up (away from zero) to ``places`` decimals, exactly, for display and ranking."""
    scaled = abs(value) * 10 ** places
    whole = int(scaled + Fraction(1, 2))          # floor(x + 1/2): half up
    return Decimal(whole if value >= 0 else -whole).scaleb(-places)


def _fmt(value: Fraction, rules: SupervisionRules) -> str:
    return str(shown(value, rules.assessment_display_decimals))


def quantitative(criterion: Criterion, items: Iterable[Mapping[str, Any]], as_of: date,
                 rules: SupervisionRules) -> CriterionScore:
    counted = count(criterion.measure, items, as_of)
    head = f"{counted.measure.label}：{counted.text}"
    weight = criterion.weight
    if counted.total == 0:
        if rules.assessment_empty_data == LEFT_OUT:
            return CriterionScore(criterion, Fraction(0), f"{head}；本年度没有此类事项，不计入总分", False)
        return CriterionScore(criterion, weight, f"{head}；本年度没有此类事项，按满分计{show(weight)}分")
    if criterion.method == DEDUCTION:
        lost = min(weight, criterion.deduct * counted.bad)
        points = weight - lost
        capped = "（扣完为止）" if criterion.deduct * counted.bad > weight else ""
        return CriterionScore(criterion, points,
                              f"{head}；每{counted.measure.unit}{counted.measure.bad}扣{show(criterion.deduct)}分，"
                              f"扣{_fmt(lost, rules)}分{capped}；{show(weight)} − {_fmt(lost, rules)} = {_fmt(points, rules)}分")
    share = Fraction(counted.good, counted.total)
    points = weight * share
    return CriterionScore(criterion, points,
                          f"{head}；{counted.good}/{counted.total}（{_fmt(share * 100, rules)}%）× 分值{show(weight)}分"
                          f" = {_fmt(points, rules)}分")


def qualitative(criterion: Criterion, scores: Sequence[Mapping[str, Any]],
                rules: SupervisionRules) -> CriterionScore:
    """The assessors' average, trimmed when there are enough of them (module docstring)."""
    if not scores:
        raise SupervisionError(f"“{criterion.name}”还没有评分人打分", code="scores")
    marks, names = [], set()
    for item in scores:
        name = str(item.get("assessor") or "").strip()
        if not name:
            raise SupervisionError(f"“{criterion.name}”的每个分数须写明评分人", code="scores")
        if name in names:
            raise SupervisionError(f"“{criterion.name}”中{name}打了两次分", code="scores")
        names.add(name)
        mark = exact(item.get("score"), f"{name}给“{criterion.name}”的分数")
        if not 0 <= mark <= criterion.weight:
            raise SupervisionError(f"{name}给“{criterion.name}”的分数应在0到{show(criterion.weight)}之间",
                                   code="scores")
        marks.append((mark, name))
    listed = "、".join(f"{n}给{show(m)}分" for m, n in marks)
    ordered = sorted(marks, key=lambda pair: pair[0])
    cut = rules.assessment_trim_each_end
    if cut and len(marks) >= rules.assessment_trim_min_assessors and len(marks) > 2 * cut:
        kept, low, high = ordered[cut:len(ordered) - cut], ordered[:cut], ordered[len(ordered) - cut:]
        average = sum((m for m, _ in kept), Fraction(0)) / len(kept)
        dropped = (f"去掉最高分{'、'.join(f'{show(m)}分（{n}）' for m, n in high)}、"
                   f"最低分{'、'.join(f'{show(m)}分（{n}）' for m, n in low)}，其余{len(kept)}人平均")
    else:
        average = sum((m for m, _ in marks), Fraction(0)) / len(marks)
        dropped = (f"评分人少于{rules.assessment_trim_min_assessors}人，不去分，{len(marks)}人平均" if cut
                   else f"不去最高分和最低分，{len(marks)}人平均")
    return CriterionScore(criterion, average,
                          f"{criterion.name}：{len(marks)}名评分人：{listed}；{dropped}{_fmt(average, rules)}分")


def score_unit(unit: str, scheme: Scheme, data: Mapping[str, Any], as_of: date,
               rules: SupervisionRules) -> UnitScore:
    """One unit's (a village's, a cadre's) score: ``data[code]`` is the criterion's items
    (定量) or assessors' scores (定性)."""
    results = []
    for criterion in scheme.criteria:
        if criterion.code not in data:
            raise SupervisionError(f"{unit}缺少“{criterion.name}”的数据", code="data")
        if criterion.kind == QUANTITATIVE:
            results.append(quantitative(criterion, data[criterion.code], as_of, rules))
        else:
            results.append(qualitative(criterion, data[criterion.code], rules))
    counted = [r for r in results if r.counted]
    weight = sum((r.criterion.weight for r in counted), Fraction(0))
    raw = sum((r.points for r in counted), Fraction(0))
    scale = FULL / weight if weight else Fraction(0)
    note = ""
    if weight != FULL:
        left = "、".join(r.criterion.name for r in results if not r.counted)
        note = f"“{left}”本年度没有数据，不计入；其余指标合计{show(weight)}分，按百分制折算"
    parts = {p: sum((r.points for r in counted if r.criterion.part == p), Fraction(0)) * scale
             for p in PARTS}
    return UnitScore(unit, tuple(results), raw * scale, parts, note)


@dataclass(frozen=True)
class Ranked:
    rank: int
    unit: str
    total: Decimal


def rank(scores: Iterable[UnitScore], rules: SupervisionRules) -> list[Ranked]:
    """Competition ranking on the shown totals (ties share a rank; the next rank skips)."""
    rows = sorted(((shown(s.total, rules.assessment_display_decimals), s.unit) for s in scores),
                  key=lambda row: (-row[0], row[1]))
    out: list[Ranked] = []
    for i, (total, unit) in enumerate(rows):
        place = out[-1].rank if out and out[-1].total == total else i + 1
        out.append(Ranked(place, unit, total))
    return out


def check_bands(bands: Sequence[Mapping[str, Any]]) -> list[tuple[int, Fraction]]:
    """The star bands, most stars first, each with a strictly higher minimum."""
    out = sorted(((int(b["stars"]), exact(b["min"], "星级分数线")) for b in bands), reverse=True)
    for (s1, m1), (s2, m2) in zip(out, out[1:]):
        if s1 == s2 or m1 <= m2:
            raise SupervisionError("星级分数线应当星级越高分数线越高，且每个星级只有一条", code="stars")
    if any(s < 1 or not 0 <= m <= FULL for s, m in out):
        raise SupervisionError("星级应从1星起，分数线在0到100之间", code="stars")
    return out


def stars(total: Fraction, rules: SupervisionRules) -> tuple[int, str]:
    """(stars, label) for a village party secretary's shown total; 0: 不评星."""
    value = Fraction(shown(total, rules.assessment_display_decimals))
    for count_, minimum in check_bands(rules.star_bands):
        if value >= minimum:
            return count_, f"{'★' * count_}（{count_}星，{show(minimum)}分以上）"
    return 0, "不评星"
