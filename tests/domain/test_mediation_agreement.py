"""The 调解协议书 must state what 人民调解法 Art 29 requires and be signed to take effect."""
from __future__ import annotations

from datetime import date

from app.domain.dispute.agreement import (
    agreement_problems, effective_on, performance_dues, terms_due_on)
from app.domain.dispute.state import Party
from tests.domain.test_dispute_builders import agreement

SIDES = (Party("张大山", "申请人"), Party("王小河", "被申请人"), Party("村民组长", "第三人"))


def test_complete_agreement_has_no_problems():
    assert agreement_problems(agreement(), SIDES) == []
    assert effective_on(agreement()) == date(2026, 3, 15)


def test_parties_details_facts_points_responsibility_and_terms_are_required():
    doc = agreement(no="", facts=" ", disputed_points="", responsibilities="",
                    parties=[{"name": "张大山", "role": "申请人", "address": ""},
                             {"name": "王小河", "role": "被申请人", "address": "三组13号"}],
                    terms=[{"content": "赔偿", "how": "现金", "due": "四月底"},
                           {"content": "", "how": "", "due": ""}])
    assert agreement_problems(doc, SIDES) == [
        "协议书编号", "张大山的住址", "纠纷的主要事实", "争议事项", "各方当事人的责任",
        "第1项协议的履行期限不是有效日期", "第2项协议的协议内容、履行方式、履行期限"]


def test_every_side_of_the_dispute_must_be_in_the_agreement():
    doc = agreement(parties=[agreement()["parties"][0],
                             {"name": "王大河", "role": "被申请人", "address": "三组13号"}],
                    signatures={"parties": ["张大山", "王大河"], "mediator": "李调解", "seal": True})
    assert agreement_problems(doc, SIDES) == ["当事人王小河（被申请人）没有列入协议书"]


def test_it_takes_effect_only_when_signed_by_all_with_mediator_and_seal():
    doc = agreement(signatures={"parties": ["张大山"], "mediator": "", "seal": False},
                    effective_on="")
    assert agreement_problems(doc, SIDES) == [
        "王小河的签名（盖章或按指印）", "人民调解员签名", "人民调解委员会印章",
        "生效日期（各方签名、调解员签名并盖章之日）"]
    assert effective_on(doc) is None


def test_needs_two_parties_and_at_least_one_term():
    assert agreement_problems(agreement(parties=[], terms=[]))[:2] == [
        "至少两方当事人的基本情况", "协议内容及履行方式、期限"]


def test_performance_deadlines():
    doc = agreement()
    assert performance_dues(doc) == [date(2026, 3, 20), date(2026, 4, 10)]
    assert terms_due_on(doc, date(2026, 4, 10)) == ["王小河赔偿张大山院墙修缮费800元"]
