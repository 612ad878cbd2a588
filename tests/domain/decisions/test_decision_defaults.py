"""The decision numbers in defaults.json: each read by the rules, each with its source, and
each statutory one with a legal bound a town may tighten but not loosen (issue #10).

``CASES`` has the same shape as tests/domain/test_legal_bounds.py on the ``law`` branch
(key: (values that loosen the law, a value that keeps or tightens it)), so the two can be
joined when both are on main.
"""
from __future__ import annotations

import pytest

from app.domain.decisions.rules import DecisionRules
from app.domain.decisions.thresholds import STRICTNESS, at_least_as_strict
from tests.domain.config_bounds import check_case, check_read_by, check_statutory_bounded, family
from tests.domain.decisions.support import DEFAULTS

ENTRIES = family(DEFAULTS, "decisions.")

CASES = {
    "decisions.party_meeting_attendance": (["三分之一以上"], "四分之三以上"),
    "decisions.party_meeting_approval": (["半数以上", "三分之一以上"], "三分之二以上"),
    "decisions.representatives_attendance": (["五分之三以上", "过半数"], "四分之三以上"),
    "decisions.representatives_approval": (["半数以上"], "三分之二以上"),
    "decisions.villagers_attendance_adults": (["半数以上", "三分之一以上"], "三分之二以上"),
    "decisions.villagers_attendance_households": (["过半数"], "四分之三以上"),
    "decisions.villagers_approval": (["半数以上"], "三分之二以上"),
    "decisions.group_attendance_adults": (["五分之三以上"], "全体"),
    "decisions.group_attendance_households": (["过半数"], "五分之四以上"),
    "decisions.group_approval": (["半数以上"], "五分之三以上"),
    "decisions.collective_land_consent": (["五分之三以上", "过半数"], "四分之三以上"),
    "decisions.representatives_share": (["四分之三以上"], "全体"),
    # 三分之一以上 is the lowest phrase there is: nothing looser can even be chosen
    "decisions.women_representatives_share": ([], "半数以上"),
    "decisions.proxies_count_toward_quorum": ([True], False),
    "decisions.villagers_meeting_notice_days": ([9, 1], 15),
    "decisions.publicity_ordinary_months": ([4, 6, 12], 1),
    "decisions.publicity_finance_busy_months": ([2, 3], 1),
}


def test_every_decisions_key_is_read_by_the_rules_and_nothing_else_is_missing():
    check_read_by(ENTRIES, "decisions.", DecisionRules)


def test_every_statutory_number_has_a_bound_and_a_case():
    check_statutory_bounded(ENTRIES, CASES)


@pytest.mark.parametrize("key", sorted(CASES))
def test_the_default_keeps_the_bound_a_looser_value_breaks_it_a_stricter_one_keeps_it(key):
    check_case(ENTRIES[key], CASES[key])


def test_threshold_bounds_are_exactly_the_phrases_at_least_as_strict_as_the_law():
    for key, entry in ENTRIES.items():
        if entry["value_schema"] == {"enum": list(STRICTNESS)} and "legal_bound" in entry:
            allowed = entry["legal_bound"]["schema"]["enum"]
            assert allowed == at_least_as_strict(allowed[0]), key
            if entry["source"].startswith("[law]"):
                assert allowed[0] == entry["value"], key    # the statute's own phrase is the floor


def test_the_party_attendance_floor_is_the_party_rule_not_the_local_two_thirds():
    entry = ENTRIES["decisions.party_meeting_attendance"]
    assert entry["source"].startswith("[local]") and entry["value"] == "三分之二以上"
    assert entry["legal_bound"]["schema"]["enum"][0] == "半数以上"
