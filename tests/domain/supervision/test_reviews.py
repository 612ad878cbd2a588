"""民主评议 (组织法 Art 33): yearly, and two consecutive 不称职 end a 村委会 member's post."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.reviews import review_due, review_outcome
from tests.domain.supervision.support import RULES


def _reviews(*grades):
    return [{"date": f"{2021 + i}-12-20", "grade": g} for i, g in enumerate(grades)]


def test_two_consecutive_unfit_end_a_committee_members_post():
    outcome = review_outcome("张某", "村民委员会成员", _reviews("称职", "不称职", "不称职"), RULES)
    assert outcome.ends_post
    assert outcome.message == "张某连续2次被评议不称职，村民委员会成员职务终止"
    assert outcome.source == "村民委员会组织法（2018年修正）第三十三条第二款"


def test_not_consecutive_does_not():
    outcome = review_outcome("张某", "村民委员会成员", _reviews("不称职", "称职", "不称职"), RULES)
    assert not outcome.ends_post and outcome.longest_unfit_run == 1 and outcome.message == ""
    assert not review_outcome("张某", "村民委员会成员", _reviews("不称职"), RULES).ends_post


def test_order_is_by_date_not_by_entry():
    reviews = [{"date": "2024-12-20", "grade": "不称职"}, {"date": "2022-12-20", "grade": "不称职"},
               {"date": "2023-12-20", "grade": "称职"}]
    assert not review_outcome("张某", "村民委员会成员", reviews, RULES).ends_post


def test_a_supervisor_is_not_removed_by_law_but_the_way_is_shown():
    outcome = review_outcome("王某", "村务监督委员会成员", _reviews("不称职", "不称职"), RULES)
    assert not outcome.ends_post and outcome.longest_unfit_run == 2
    assert "建议由村民会议依照罢免程序罢免" in outcome.message
    assert outcome.source.endswith("第五十六条第三款")


@pytest.mark.parametrize("reviews, message", [
    ([{"date": "2024-12-20", "grade": "差"}], "评议结果“差”不对，应为称职、基本称职、不称职"),
    ([{"date": "去年", "grade": "称职"}], "评议日期“去年”不对"),
    ([{"date": "2024-12-20", "grade": "称职"}] * 2, "同一天有两次评议结果，请核对后删去重复的一条"),
])
def test_bad_review_records(reviews, message):
    with pytest.raises(SupervisionError) as info:
        review_outcome("张某", "村民委员会成员", reviews, RULES)
    assert info.value.message == message


def test_a_review_at_least_every_year():
    due = review_due(date(2025, 12, 20), date(2023, 1, 1), date(2026, 12, 20), RULES)
    assert (due.due, due.overdue) == (date(2026, 12, 20), False)
    late = review_due(date(2025, 12, 20), date(2023, 1, 1), date(2026, 12, 21), RULES)
    assert late.overdue and late.message.startswith("民主评议应在2026-12-20前进行，已超期")
    assert review_due(None, date(2026, 2, 1), date(2026, 3, 1), RULES).due == date(2027, 2, 1)
