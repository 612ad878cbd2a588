"""Thresholds as the law words them, checked in integers (民法典 Art 1259: 以上 includes the
number itself; 过半数 does not)."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.decisions.errors import DecisionError
from app.domain.decisions.thresholds import (
    PHRASES, STRICTNESS, Threshold, at_least_as_strict, ratio_text, stricter_or_equal)

phrases = st.sampled_from(STRICTNESS)
totals = st.integers(min_value=0, max_value=5000)


@pytest.mark.parametrize("phrase, count, total, met", [
    ("三分之二以上", 6, 9, True),      # exactly two thirds is enough
    ("三分之二以上", 5, 9, False),     # one short
    ("三分之二以上", 14, 20, True),    # 13.33… → 14
    ("三分之二以上", 13, 20, False),
    ("过半数", 5, 10, False),          # exactly half is not more than half
    ("过半数", 6, 10, True),
    ("过半数", 5, 9, True),
    ("半数以上", 5, 10, True),         # 半数以上 includes half
    ("五分之四以上", 8, 10, True),
    ("五分之四以上", 7, 9, False),     # 7/9 = 0.777…
    ("三分之一以上", 1, 3, True),
    ("全体", 9, 10, False),
    ("全体", 10, 10, True),
    ("三分之二以上", 2000, 3000, True),
    ("三分之二以上", 1999, 3000, False),
])
def test_boundaries(phrase, count, total, met):
    assert Threshold(phrase).met(count, total) is met


def test_an_empty_base_never_meets_a_threshold():
    for phrase in STRICTNESS:
        assert not Threshold(phrase).met(0, 0)
        assert Threshold(phrase).minimum(0) == 0


def test_describe_and_ratio_text_are_exact():
    assert Threshold("三分之二以上").describe(9) == "9人的三分之二以上，即至少6人"
    assert Threshold("过半数").describe(10) == "10人的过半数，即至少6人"
    assert ratio_text(6, 9) == "6/9（66.67%）"
    assert ratio_text(2, 3) == "2/3（66.67%）"
    assert ratio_text(1, 8) == "1/8（12.50%）"


def test_unknown_phrases_and_impossible_counts_are_refused():
    with pytest.raises(DecisionError) as info:
        Threshold("2/3")
    assert info.value.message.startswith("“2/3”不是可用的比例，请从三分之一以上、")
    with pytest.raises(DecisionError):
        Threshold("过半数").met(11, 10)
    with pytest.raises(DecisionError):
        Threshold("过半数").met(-1, 10)


def test_strictness_order_and_bounds():
    assert at_least_as_strict("过半数") == ["过半数", "五分之三以上", "三分之二以上", "四分之三以上",
                                         "五分之四以上", "全体"]
    assert stricter_or_equal("三分之二以上", "过半数")
    assert not stricter_or_equal("半数以上", "过半数")


@given(phrases, totals, st.data())
def test_met_agrees_with_exact_fractions(phrase, total, data):
    count = data.draw(st.integers(min_value=0, max_value=total))
    fraction, inclusive = PHRASES[phrase]
    share = Fraction(count, total) if total else None
    expected = share is not None and (share >= fraction if inclusive else share > fraction)
    assert Threshold(phrase).met(count, total) is expected


@given(phrases, totals)
def test_minimum_is_the_least_count_that_meets(phrase, total):
    threshold = Threshold(phrase)
    least = threshold.minimum(total)
    if total:
        assert least <= total and threshold.met(least, total)
        assert least == 0 or not threshold.met(least - 1, total)


@given(phrases, totals, st.data())
def test_met_is_monotone_in_the_count(phrase, total, data):
    count = data.draw(st.integers(min_value=0, max_value=total))
    if Threshold(phrase).met(count, total):
        assert all(Threshold(phrase).met(c, total) for c in range(count, total + 1))


@given(phrases, phrases, totals, st.data())
def test_a_stricter_threshold_met_implies_the_looser_one(a, b, total, data):
    count = data.draw(st.integers(min_value=0, max_value=total))
    strict, loose = (a, b) if stricter_or_equal(a, b) else (b, a)
    if Threshold(strict).met(count, total):
        assert Threshold(loose).met(count, total)
