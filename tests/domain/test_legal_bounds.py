"""A town may tighten a statutory number, never loosen it (issue #10 item 3): every
statutory number in defaults.json has a legal bound, and an override past it is not
applied on any node that merges it."""
from __future__ import annotations

import pytest

import schemas.config
from app.domain.config import merge_config, override_problem
from tests.domain.decisions.test_decision_defaults import CASES as DECISION_CASES
from tests.domain.supervision.test_supervision_defaults import CASES as SUPERVISION_CASES

DEFAULTS = schemas.config.load_defaults()

# key: (values that loosen the law, a value that keeps or tightens it)
CASES = {
    "dispute.mediation_limit_months": ([2, 6], 1),
    "dispute.judicial_confirmation_days": ([1, 29, 31, 90], 30),
    "dispute.judicial_confirmation_rolls_over": ([False], True),
    "dispute.alert_risk_levels": ([["中"], ["低"]], ["中", "高"]),
    "petition.acceptance_notice_days": ([16, 60], 10),
    "petition.handling_days": ([61, 180], 45),
    "petition.extension_max_days": ([31, 90], 15),
    "petition.review_request_days": ([1, 29, 31], 30),
    "petition.review_answer_days": ([31, 90], 20),
    "petition.re_review_request_days": ([1, 29, 31], 30),
    "petition.re_review_answer_days": ([31], 20),
    "petition.hearing_not_counted_stages": ([["复核", "复查"], ["处理"]], []),
    "petition.period_end_rolls_over": ([False], True),
    "petition.group_visit_max_representatives": ([3, 1], 5),
    "risk.proceed_allowed_grades": ([["低", "中"], ["高"]], []),
    "risk.low_requires_measures": ([False], True),
    "risk.decision_min_attendees": ([2], 5),
    "risk.blocking_dimensions": ([["legality", "feasibility"], ["controllability"]],
                                 ["legality", "reasonableness", "feasibility", "controllability"]),
    # the village-decision and supervision numbers (issues #12, #13) keep their cases beside
    # their own config tests
    **DECISION_CASES,
    **SUPERVISION_CASES,
}


def test_every_statutory_number_has_a_bound_and_a_case_here():
    bounded = {key for key, entry in DEFAULTS["values"].items() if "legal_bound" in entry}
    law = {key for key, entry in DEFAULTS["values"].items() if entry["source"].startswith("[law]")
           and not isinstance(entry["value"], str)}    # numbers, switches, lists; not texts
    assert law <= bounded
    assert bounded == set(CASES)


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_town_cannot_loosen_the_law(key):
    loose, _ = CASES[key]
    entry = DEFAULTS["values"][key]
    for value in loose:
        config = merge_config(DEFAULTS, {key: {"value": value, "source": "镇里决定"}})
        assert config.value(key) == entry["value"], value
        (rejected_key, reason), = config.rejected
        assert rejected_key == key
        assert f"超出法定界限：{entry['legal_bound']['text']}" in reason
        assert reason.endswith("仍按原规定执行；请镇里改正后重新下发")
        assert override_problem(DEFAULTS, key, value).endswith("镇里只能比法律规定更严，不能放宽")


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_town_may_keep_or_tighten_it(key):
    _, strict = CASES[key]
    config = merge_config(DEFAULTS, {key: {"value": strict, "source": "镇党委会议纪要"}})
    assert config.rejected == ()
    setting = config.settings[key]
    assert (setting.value, setting.source, setting.overridden) == (strict, "镇党委会议纪要", True)
    assert setting.bound_text.startswith("法定界限：")
    assert setting.default == DEFAULTS["values"][key]["value"]


def test_a_retired_key_is_named_as_such():
    config = merge_config(DEFAULTS, {"petition.lowest_level": {"value": "town"}})
    (key, reason), = config.rejected
    assert key == "petition.lowest_level"
    assert reason.startswith("“petition.lowest_level”已不再使用：村委会不是信访工作机构")
