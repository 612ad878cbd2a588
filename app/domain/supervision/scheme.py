"""百分制 assessment schemes: criteria whose weights add up to exactly 100.

Seed (新集镇意见 “科学考核推动”): "制定党风政风建设年度考评方案和细则，坚持定性和定量考核相结合，
坚持组织认定和群众评判相结合，实行百分制量化考核" (RULES.md §4).  A town's yearly scheme is
data; ``check_scheme`` turns it into ``Scheme`` or says, in Chinese, what is wrong:

* weights are positive and sum to exactly 100 (decimals allowed, e.g. 7.5; compared as
  exact fractions, never as floats);
* each criterion is 定量 (computed from data the system holds — ``measures.MEASURES``) or
  定性 (scored by named assessors), and belongs to 组织认定 or 群众评判; a scheme has both
  parts (组织认定和群众评判相结合);
* a 定量 criterion is scored 比例 (weight × the good share) or 扣分 (weight minus so many
  points per bad item, never below zero — the usual "扣完为止").
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Mapping

from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.measures import MEASURES

QUANTITATIVE, QUALITATIVE = "定量", "定性"
ORGANISATION, PUBLIC = "组织认定", "群众评判"
PARTS = (ORGANISATION, PUBLIC)
PROPORTION, DEDUCTION = "比例", "扣分"
FULL = Fraction(100)


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    weight: Fraction
    kind: str
    part: str
    measure: str = ""
    method: str = PROPORTION
    deduct: Fraction = Fraction(0)


@dataclass(frozen=True)
class Scheme:
    title: str
    criteria: tuple[Criterion, ...]


def exact(value: Any, what: str) -> Fraction:
    """A number typed or stored as text or number, exactly ("7.5" → 15/2; 0.1 → 1/10)."""
    if isinstance(value, bool):
        raise SupervisionError(f"{what}应为数字", code="number")
    try:
        return Fraction(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        raise SupervisionError(f"{what}“{value}”不是数字", code="number") from None


def show(value: Fraction) -> str:
    """A weight as people write it: 10, 7.5, 0.25 (exact; weights are short decimals)."""
    if value.denominator == 1:
        return str(value.numerator)
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f").rstrip("0")


def _criterion(item: Mapping[str, Any], i: int) -> Criterion:
    name = str(item.get("name") or "").strip()
    where = f"第{i + 1}项指标“{name or '（未命名）'}”"
    if not name or not str(item.get("code") or "").strip():
        raise SupervisionError(f"{where}须有编号和名称", code="scheme")
    weight = exact(item.get("weight"), f"{where}的分值")
    if weight <= 0:
        raise SupervisionError(f"{where}的分值应大于0", code="scheme")
    kind, part = item.get("kind"), item.get("part")
    if kind not in (QUANTITATIVE, QUALITATIVE):
        raise SupervisionError(f"{where}应注明定量或定性", code="scheme")
    if part not in PARTS:
        raise SupervisionError(f"{where}应注明属于组织认定还是群众评判", code="scheme")
    measure, method = str(item.get("measure") or ""), str(item.get("method") or PROPORTION)
    deduct = Fraction(0)
    if kind == QUANTITATIVE:
        if measure not in MEASURES:
            raise SupervisionError(f"{where}是定量指标，须选择计算依据（{'、'.join(m.label for m in MEASURES.values())}）",
                                   code="scheme")
        if method not in (PROPORTION, DEDUCTION):
            raise SupervisionError(f"{where}的计分方法应为比例或扣分", code="scheme")
        if method == DEDUCTION:
            deduct = exact(item.get("deduct"), f"{where}每件扣分")
            if deduct <= 0:
                raise SupervisionError(f"{where}每件扣分应大于0", code="scheme")
    elif measure:
        raise SupervisionError(f"{where}是定性指标，由评分人打分，不能选择计算依据", code="scheme")
    return Criterion(str(item["code"]), name, weight, kind, part, measure, method, deduct)


def check_scheme(doc: Mapping[str, Any]) -> Scheme:
    items = doc.get("criteria") or []
    if not items:
        raise SupervisionError("考核方案还没有指标", code="scheme")
    criteria = tuple(_criterion(item, i) for i, item in enumerate(items))
    codes = [c.code for c in criteria]
    if len(set(codes)) != len(codes):
        raise SupervisionError("指标编号重复", code="scheme")
    total = sum((c.weight for c in criteria), Fraction(0))
    if total != FULL:
        gap = FULL - total
        raise SupervisionError(
            f"各项指标分值合计应为100分，现在合计{show(total)}分（{'少' if gap > 0 else '多'}{show(abs(gap))}分），"
            "请调整分值", code="weights")
    missing = [p for p in PARTS if not any(c.part == p for c in criteria)]
    if missing:
        raise SupervisionError(f"考核方案应把组织认定和群众评判结合起来，还没有“{missing[0]}”的指标",
                               code="scheme")
    return Scheme(str(doc.get("title") or ""), criteria)
