"""百分制 assessment: weights sum to exactly 100, criteria explain their score, trimmed
averages of named assessors, totals, ranking with ties, star bands."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.measures import count
from app.domain.supervision.scheme import check_scheme
from app.domain.supervision.scoring import qualitative, rank, score_unit, shown, stars
from tests.domain.supervision.support import RULES, rules_with

AS_OF = date(2026, 12, 31)


def _crit(code, weight, kind="定量", part="组织认定", **kw):
    return {"code": code, "name": kw.pop("name", code), "weight": weight, "kind": kind, "part": part, **kw}


SCHEME = {"title": "2026年度党风政风建设考评", "criteria": [
    _crit("办件", "30", measure="service_on_time", name="便民服务按期办结"),
    _crit("调解", "20", measure="mediation_success", method="扣分", deduct="2", name="矛盾纠纷调解"),
    _crit("公开", "10", measure="publicity_on_time", name="村务公开"),
    _crit("廉洁", "15", kind="定性", name="廉洁自律"),
    _crit("满意", "25", part="群众评判", measure="service_satisfaction", name="群众满意度"),
]}


def _deadline(on_time, late, pending=0):
    return ([{"due": "2026-06-30", "done": "2026-06-29"}] * on_time
            + [{"due": "2026-06-30", "done": "2026-07-02"}] * late
            + [{"due": "2027-01-15", "done": None}] * pending)


def _outcomes(good, bad):
    return [{"good": True}] * good + [{"good": False}] * bad


def _scores(*marks):
    return [{"assessor": f"评分人{i + 1}", "score": m} for i, m in enumerate(marks)]


DATA = {"办件": _deadline(114, 6, pending=3), "调解": _outcomes(18, 3), "公开": _deadline(4, 0),
        "廉洁": _scores("14", "13", "12", "15", "9"), "满意": _outcomes(190, 10)}


def test_weights_must_sum_to_exactly_one_hundred():
    assert [c.weight for c in check_scheme(SCHEME).criteria] == [30, 20, 10, 15, 25]
    short = {"criteria": SCHEME["criteria"][:-1] + [_crit("满意", "24.5", part="群众评判",
                                                           measure="service_satisfaction")]}
    with pytest.raises(SupervisionError) as info:
        check_scheme(short)
    assert info.value.message == "各项指标分值合计应为100分，现在合计99.5分（少0.5分），请调整分值"
    thirds = {"criteria": [_crit("a", "33.3", kind="定性"), _crit("b", "33.3", kind="定性"),
                           _crit("c", "33.4", kind="定性", part="群众评判")]}
    assert check_scheme(thirds)
    floats = {"criteria": [_crit(str(i), 0.1, kind="定性") for i in range(999)]
              + [_crit("x", 0.1, kind="定性", part="群众评判")]}
    assert len(check_scheme(floats).criteria) == 1000          # 1000 × 0.1 is exactly 100 here


@pytest.mark.parametrize("criteria, message", [
    ([], "考核方案还没有指标"),
    ([_crit("a", "100", kind="定性")], "考核方案应把组织认定和群众评判结合起来，还没有“群众评判”的指标"),
    ([_crit("a", "50", measure="猜的"), _crit("b", "50", kind="定性", part="群众评判")],
     "第1项指标“a”是定量指标，须选择计算依据（便民服务办件按期办结率、便民服务群众满意率、矛盾纠纷调解成功率、"
     "信访事项按期办结率、村务公开按时公开率、村务监督委员会意见按期答复率）"),
    ([_crit("a", "50", kind="定性", measure="service_on_time"), _crit("b", "50", kind="定性", part="群众评判")],
     "第1项指标“a”是定性指标，由评分人打分，不能选择计算依据"),
    ([_crit("a", "0", kind="定性"), _crit("b", "100", kind="定性", part="群众评判")], "第1项指标“a”的分值应大于0"),
    ([_crit("a", "五十", kind="定性"), _crit("b", "50", kind="定性", part="群众评判")],
     "第1项指标“a”的分值“五十”不是数字"),
    ([_crit("a", "50", kind="定性"), _crit("a", "50", kind="定性", part="群众评判")], "指标编号重复"),
    ([_crit("a", "50", method="扣分", measure="service_on_time"), _crit("b", "50", kind="定性", part="群众评判")],
     "第1项指标“a”每件扣分“None”不是数字"),
])
def test_malformed_schemes_are_refused_in_chinese(criteria, message):
    with pytest.raises(SupervisionError) as info:
        check_scheme({"criteria": criteria})
    assert info.value.message == message


def test_each_criterion_shows_how_it_was_computed():
    score = score_unit("东王村", check_scheme(SCHEME), DATA, AS_OF, RULES)
    texts = [c.text for c in score.criteria]
    assert texts[0] == ("便民服务办件按期办结率：共120件，其中按期办结114件、超期6件（另有3件尚未到期，不计入）；"
                        "114/120（95.00%）× 分值30分 = 28.50分")
    assert texts[1] == "矛盾纠纷调解成功率：共21件，其中调解成功18件、调解不成3件；每件调解不成扣2分，扣6.00分；20 − 6.00 = 14.00分"
    assert texts[3] == ("廉洁自律：5名评分人：评分人1给14分、评分人2给13分、评分人3给12分、评分人4给15分、评分人5给9分；"
                        "去掉最高分15分（评分人4）、最低分9分（评分人5），其余3人平均13.00分")
    assert texts[4].endswith("190/200（95.00%）× 分值25分 = 23.75分")
    assert score.total == Fraction(285, 10) + 14 + 10 + 13 + Fraction(2375, 100)
    assert score.parts == {"组织认定": Fraction(6550, 100), "群众评判": Fraction(2375, 100)}
    assert shown(score.total, 2) == Decimal("89.25")


def test_deduction_stops_at_zero():
    scheme = check_scheme({"criteria": [_crit("调解", "20", measure="mediation_success", method="扣分", deduct="2"),
                                        _crit("x", "80", kind="定性", part="群众评判")]})
    score = score_unit("西李村", scheme, {"调解": _outcomes(0, 15), "x": _scores(80)}, AS_OF, RULES)
    assert score.criteria[0].points == 0
    assert "扣20.00分（扣完为止）" in score.criteria[0].text


def test_no_data_counts_full_marks_or_is_left_out_by_the_towns_choice():
    scheme = check_scheme(SCHEME)
    data = {**DATA, "公开": []}
    full = score_unit("东王村", scheme, data, AS_OF, RULES)
    assert full.criteria[2].points == 10 and full.criteria[2].text.endswith("本年度没有此类事项，按满分计10分")
    left_out = score_unit("东王村", scheme, data, AS_OF, rules_with(assessment_empty_data="不计入"))
    assert not left_out.criteria[2].counted
    assert left_out.total == (full.total - 10) * Fraction(100, 90)
    assert left_out.note == "“村务公开”本年度没有数据，不计入；其余指标合计90分，按百分制折算"


def test_fewer_assessors_than_the_trim_threshold_are_averaged_plainly():
    criterion = check_scheme(SCHEME).criteria[3]
    result = qualitative(criterion, _scores("15", "9", "12", "12"), RULES)
    assert result.points == 12 and "评分人少于5人，不去分，4人平均12.00分" in result.text
    with pytest.raises(SupervisionError) as info:
        qualitative(criterion, _scores("16"), RULES)
    assert info.value.message == "评分人1给“廉洁自律”的分数应在0到15之间"
    with pytest.raises(SupervisionError):
        qualitative(criterion, [{"assessor": "张三", "score": 9}, {"assessor": "张三", "score": 10}], RULES)
    with pytest.raises(SupervisionError):
        qualitative(criterion, [{"score": 9}], RULES)


def test_a_town_that_trims_nothing_averages_everyone():
    criterion = check_scheme(SCHEME).criteria[3]
    result = qualitative(criterion, _scores("14", "13", "12", "15", "9"), rules_with(assessment_trim_each_end=0))
    assert result.points == Fraction(63, 5) and result.text.endswith("不去最高分和最低分，5人平均12.60分")


def test_deadline_counting_excludes_what_is_not_yet_due():
    counted = count("petitions_on_time", [{"due": "2026-12-31", "done": None},
                                          {"due": "2026-12-30", "done": None}], AS_OF)
    assert (counted.good, counted.bad, counted.pending) == (0, 1, 1)


def _unit(name, total):
    from app.domain.supervision.scoring import UnitScore
    return UnitScore(name, (), Fraction(total), {})


def test_ranking_shares_a_rank_on_equal_shown_totals():
    units = [_unit("甲村", "91.5"), _unit("乙村", "95.004"), _unit("丙村", "94.995"),
             _unit("丁村", "91.5"), _unit("戊村", "80")]
    ranked = rank(units, RULES)
    assert [(r.rank, r.unit, str(r.total)) for r in ranked] == [
        (1, "丙村", "95.00"), (1, "乙村", "95.00"), (3, "丁村", "91.50"), (3, "甲村", "91.50"), (5, "戊村", "80.00")]


@pytest.mark.parametrize("total, expected", [
    ("95", 5), ("94.995", 5), ("94.994", 4), ("90", 4), ("80", 3), ("70", 2), ("60", 1), ("59.99", 0)])
def test_star_bands(total, expected):
    assert stars(Fraction(total), RULES)[0] == expected
    assert stars(Fraction(total), RULES)[1] == ("不评星" if not expected else
                                                f"{'★' * expected}（{expected}星，{[95, 90, 80, 70, 60][5 - expected]}分以上）")


def test_star_bands_must_rise_with_the_stars():
    with pytest.raises(SupervisionError):
        stars(Fraction(90), rules_with(star_bands=[{"stars": 5, "min": 80}, {"stars": 4, "min": 90}]))
    assert stars(Fraction(85), rules_with(star_bands=[{"stars": 3, "min": 85}]))[0] == 3


@given(st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=12))
def test_weights_are_accepted_exactly_when_they_sum_to_100(hundredths):
    criteria = [_crit(f"c{i}", str(Decimal(h) / 100), kind="定性", part="群众评判" if i == 0 else "组织认定")
                for i, h in enumerate(hundredths)]
    gap = Fraction(100) - Fraction(sum(hundredths), 100)
    if gap == 0:
        assert len(check_scheme({"criteria": criteria}).criteria) == len(criteria)
    else:
        with pytest.raises(SupervisionError) as info:
            check_scheme({"criteria": criteria})
        assert info.value.code == "weights"
    if gap > 0:                         # topping up by exactly the gap makes it valid
        fill = _crit("fill", str(Decimal(gap.numerator) / gap.denominator), kind="定性")
        scheme = check_scheme({"criteria": criteria + [fill]})
        assert sum((c.weight for c in scheme.criteria), Fraction(0)) == 100


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=15))
def test_the_trimmed_mean_lies_between_the_lowest_and_highest_score(marks):
    criterion = check_scheme({"criteria": [_crit("q", "10", kind="定性"),
                                            _crit("r", "90", kind="定性", part="群众评判")]}).criteria[0]
    scores = _scores(*(str(Decimal(m) / 100) for m in marks))
    points = qualitative(criterion, scores, RULES).points
    assert Fraction(min(marks), 100) <= points <= Fraction(max(marks), 100)
