"""Quorum and majority thresholds in the words of the law, checked with exact integers.

Chinese law states its thresholds as phrases — "三分之二以上", "过半数" — and the phrase
says both the fraction and whether the exact fraction itself is enough:

* 民法典 Art 1259: "以上、以下、以内、届满" include the number itself (包括本数); "不满、
  超过、以外" do not.  So "三分之二以上" is met by exactly 2/3 (6 of 9), and "半数以上"
  by exactly half.
* "过半数" ("more than half") is not met by exactly half: 5 of 10 is not 过半数, 6 is.

A threshold is therefore kept as the phrase itself (the config value a town sees and
picks from a list), and checked as ``count * den >= num * total`` (or ``>``) in
integers: no floating point, so 2/3 of 9 is exactly 6 and never 5.999….

The phrases are totally ordered by strictness (``STRICTNESS``): each one is met whenever
a stricter one is met.  A statutory threshold's legal bound in ``defaults.json`` is the
list of phrases at least as strict as the statute's (a town may tighten, never loosen —
issue #10); ``at_least_as_strict`` gives that list.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from app.domain.decisions.errors import DecisionError

# phrase: (fraction, the exact fraction itself is enough), from the least to the most strict.
PHRASES: dict[str, tuple[Fraction, bool]] = {
    "三分之一以上": (Fraction(1, 3), True),
    "半数以上": (Fraction(1, 2), True),
    "过半数": (Fraction(1, 2), False),
    "五分之三以上": (Fraction(3, 5), True),
    "三分之二以上": (Fraction(2, 3), True),
    "四分之三以上": (Fraction(3, 4), True),
    "五分之四以上": (Fraction(4, 5), True),
    "全体": (Fraction(1), True),
}
STRICTNESS = tuple(PHRASES)
SOURCE = "民法典第一千二百五十九条：“以上”包括本数，“超过”不包括本数；“过半数”即超过半数"


@dataclass(frozen=True)
class Threshold:
    """A phrase such as "三分之二以上", with its exact meaning."""

    phrase: str

    def __post_init__(self) -> None:
        if self.phrase not in PHRASES:
            choices = "、".join(STRICTNESS)
            raise DecisionError(f"“{self.phrase}”不是可用的比例，请从{choices}中选择",
                                code="threshold")

    @property
    def fraction(self) -> Fraction:
        return PHRASES[self.phrase][0]

    @property
    def inclusive(self) -> bool:
        return PHRASES[self.phrase][1]

    def met(self, count: int, total: int) -> bool:
        """Whether ``count`` out of ``total`` reaches the threshold (integers only).

        An empty base (total 0) never meets a threshold: a meeting of nobody decides
        nothing, however the arithmetic reads.
        """
        if count < 0 or total < 0 or count > total:
            raise DecisionError(f"人数不对：{count}/{total}", code="count")
        if total == 0:
            return False
        left, right = count * self.fraction.denominator, self.fraction.numerator * total
        return left >= right if self.inclusive else left > right

    def minimum(self, total: int) -> int:
        """The smallest count out of ``total`` that meets the threshold (0 if total is 0)."""
        if total < 0:
            raise DecisionError(f"人数不对：{total}", code="count")
        if total == 0:
            return 0
        num, den = self.fraction.numerator, self.fraction.denominator
        # the smallest c with c*den >= num*total (a ceiling), or with > (a floor plus one);
        # never above total, as no phrase asks for more than everyone.
        return -(-num * total // den) if self.inclusive else num * total // den + 1

    def describe(self, total: int) -> str:
        """"9人的三分之二以上，即至少6人"."""
        return f"{total}人的{self.phrase}，即至少{self.minimum(total)}人"


def at_least_as_strict(phrase: str) -> list[str]:
    """Every phrase that is met only when ``phrase`` is met (the phrase itself included)."""
    Threshold(phrase)
    return list(STRICTNESS[STRICTNESS.index(phrase):])


def stricter_or_equal(a: str, b: str) -> bool:
    """Whether threshold ``a`` is at least as strict as ``b``."""
    Threshold(a), Threshold(b)
    return STRICTNESS.index(a) >= STRICTNESS.index(b)


def ratio_text(count: int, total: int) -> str:
    """"6/9（66.67%）": the exact count, and a rounded percentage for reading only."""
    if total == 0:
        return f"{count}/0"
    percent = Fraction(count * 100, total)
    return f"{count}/{total}（{_two_places(percent)}%）"


def _two_places(value: Fraction) -> str:
    """Round half up to two places for display (the decision never uses this)."""
    hundredths = (value * 100 * 2 + 1) // 2
    whole, part = divmod(int(hundredths), 100)
    return f"{whole}.{part:02d}"
