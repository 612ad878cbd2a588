"""Payload checks declared as requirements (app.domain.workflow.payload, issue #9): the
first failing requirement gives the refusal, nested fields are read by dotted path, a
conditional requirement applies only where it should, and ``then`` runs only once the
form is complete."""
from __future__ import annotations

from typing import Any, Mapping

import pytest

from app.domain.workflow import OK, Verdict, no
from app.domain.workflow.payload import (
    FIRST_OFFICER, checked_date, first_failure, need_choice, need_date, need_list, need_text,
    rated_dissatisfied, requires)

CHECK = requires(
    need_text("leader.name", "missing_leader", "请填写包案领导姓名"),
    need_date("on", "bad_date", "请选择日期"),
    need_choice("risk", ("低", "中", "高"), "bad_risk", "请选择激化风险：低、中或高"),
    need_list("panel", "missing_panel", "请填写听证员"),
    need_text("reason", "missing_reason", "评价为“不满意”时必须填写原因", when=rated_dissatisfied))
GOOD = {"leader": {"name": " 王书记 "}, "on": "2026-03-01", "risk": "中", "panel": ["李", " "]}


def refusal(payload: Mapping[str, Any]) -> tuple[str, str] | None:
    verdict = CHECK(None, payload, None)
    return None if verdict.ok else (verdict.code, verdict.message)


def test_a_complete_payload_passes() -> None:
    assert CHECK(None, GOOD, None) == OK


@pytest.mark.parametrize("leader", [None, "王书记", {}, {"name": "  "}, {"name": 3}, ["王"]])
def test_a_nested_text_must_be_a_non_blank_string_in_an_object(leader: Any) -> None:
    assert refusal({**GOOD, "leader": leader}) == ("missing_leader", "请填写包案领导姓名")


@pytest.mark.parametrize("on", [None, "", "2026-02-30", "3月1日", 20260301])
def test_a_date_must_be_an_iso_date(on: Any) -> None:
    assert refusal({**GOOD, "on": on}) == ("bad_date", "请选择日期")


def test_a_choice_must_be_one_of_the_options_and_a_list_must_name_someone() -> None:
    assert refusal({**GOOD, "risk": "很高"}) == ("bad_risk", "请选择激化风险：低、中或高")
    assert refusal({**GOOD, "panel": ["", "  ", 5]}) == ("missing_panel", "请填写听证员")
    assert refusal({**GOOD, "panel": "李"}) == ("missing_panel", "请填写听证员")


def test_the_first_missing_field_is_the_one_reported() -> None:
    assert refusal({}) == ("missing_leader", "请填写包案领导姓名")
    assert refusal({"leader": {"name": "王"}}) == ("bad_date", "请选择日期")


def test_a_conditional_requirement_applies_only_when_its_condition_holds() -> None:
    assert refusal({**GOOD, "dissatisfied": False}) is None
    assert refusal({**GOOD, "dissatisfied": True}) == (
        "missing_reason", "评价为“不满意”时必须填写原因")
    assert refusal({**GOOD, "dissatisfied": True, "reason": "办得太慢"}) is None


def test_then_runs_only_after_every_requirement_holds() -> None:
    seen: list[object] = []

    def later(state: str, payload: Mapping[str, Any], act: str) -> Verdict:
        seen.append((state, act))
        return no("bad_date", f"{state}：日期要晚一些")

    check = requires(need_date("on", "bad_date", "请选择日期"), then=later)
    assert check("记录", {}, "镇里") == no("bad_date", "请选择日期")
    assert seen == []
    assert check("记录", {"on": "2026-03-01"}, "镇里") == no("bad_date", "记录：日期要晚一些")
    assert seen == [("记录", "镇里")]


def test_first_officer_is_the_same_rule_for_disputes_and_petitions() -> None:
    assert first_failure({"first_officer": {"name": "张"}}, (FIRST_OFFICER,)) == OK
    assert first_failure({}, (FIRST_OFFICER,)) == no(
        "missing_officer", "请填写首问负责人（第一个接待的工作人员）")


def test_applying_a_step_with_an_unchecked_date_is_an_error_not_a_none() -> None:
    assert str(checked_date("2026-03-01")) == "2026-03-01"
    with pytest.raises(ValueError):
        checked_date("2026-02-30")
