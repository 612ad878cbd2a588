"""The supervision numbers in defaults.json: each read by the rules, each with its source,
each statutory one with a legal bound (same ``CASES`` shape as the law branch's
tests/domain/test_legal_bounds.py: key: (values that loosen the law, a value that keeps or
tightens it))."""
from __future__ import annotations

import pytest

from app.domain.supervision.kinship import INVERSE
from app.domain.supervision.rules import SupervisionRules
from tests.domain.config_bounds import check_case, check_read_by, check_statutory_bounded, family
from tests.domain.supervision.support import DEFAULTS

ENTRIES = family(DEFAULTS, "supervision.")
EIGHT = ["配偶", "父母", "子女", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "外孙子女"]

CASES = {
    "supervision.close_relatives": ([EIGHT[:4], EIGHT[1:]], EIGHT + ["配偶的父母", "子女的配偶"]),
    "supervision.barred_posts": ([["村民委员会成员"], ["村报账员"]], ["村民委员会成员", "村报账员", "村会计"]),
    "supervision.accounting_member_required": ([False], True),
    "supervision.committee_usual_members": ([2, 1], 5),
    "supervision.committee_max_members": ([6, 9], 3),
    "supervision.review_interval_months": ([13, 24], 6),
    "supervision.review_consecutive_unfit": ([3, 1], 2),
    "supervision.case_refer_up_working_days": ([6, 30], 3),
    "supervision.case_transfer_working_days": ([6, 30], 3),
}


def test_every_supervision_key_is_read_by_the_rules_and_nothing_else_is_missing():
    check_read_by(ENTRIES, "supervision.", SupervisionRules)


def test_every_statutory_number_has_a_bound_and_a_case():
    check_statutory_bounded(ENTRIES, CASES)


@pytest.mark.parametrize("key", sorted(CASES))
def test_the_default_keeps_the_bound_a_looser_value_breaks_it_a_stricter_one_keeps_it(key):
    check_case(ENTRIES[key], CASES[key])


def test_the_relation_vocabulary_of_the_config_is_the_one_the_code_knows():
    allowed = ENTRIES["supervision.close_relatives"]["value_schema"]["items"]["enum"]
    assert set(allowed) == set(INVERSE)


def test_practice_sources_say_what_is_not_yet_verified():
    unverified = [k for k, e in ENTRIES.items() if "条号" in e["source"] and "未" in e["source"]]
    assert all(ENTRIES[k]["source"].startswith("[practice]") for k in unverified)
    assert "supervision.case_investigation_days" in unverified
