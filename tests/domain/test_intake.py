"""The one-time notice and the acceptance payload built from the catalog."""
from __future__ import annotations

from datetime import date

import pytest

import schemas.catalog
from app.domain.service.catalog import Catalog
from app.domain.service.flow import check_transition
from app.domain.service.intake import accepted_payload, one_time_notice, suggest_mode
from app.domain.service.state import CaseState
from app.domain.shared.workdays import WorkCalendar

CATALOG = Catalog(schemas.catalog.load_matters())
CAL = WorkCalendar()
OFFICER = {"id": "u-wang", "name": "王秀兰", "post": "代办员"}


@pytest.mark.parametrize("matter_level, actor, mode", [
    ("village", "village", "即办"), ("town", "village", "代办"), ("county", "village", "代办"),
    ("town", "town", "即办"), ("county", "town", "代办"), (None, "village", "上报镇"),
    (None, "town", "即办"),
])
def test_mode_follows_who_handles_the_matter(matter_level, actor, mode):
    assert suggest_mode(matter_level, actor) == mode


def test_notice_lists_everything_once_and_what_is_missing():
    notice = one_time_notice(CATALOG, "JZ-001", ["居民身份证", "户口簿", "最低生活保障申请书"],
                             date(2025, 9, 26), CAL)
    assert [m["name"] for m in notice.missing] == [
        "家庭经济状况核对授权书", "家庭收入和财产情况说明", "残疾证、病历等证明"]
    lines = notice.lines()
    assert lines[0] == "事项名称：最低生活保障申请（JZ-001）"
    assert "尚缺材料（请补齐后再来，或交给代办员）：" in lines
    assert "  1. 家庭经济状况核对授权书（原件1份，申请人出具）：共同生活的成年家庭成员均需签字" in lines
    assert "承诺时限：25个工作日（受理次日起算），承诺于2025-11-06前办结；特殊情况可延长至40个工作日" in lines
    assert "收费标准：免费" in lines
    # The shipped catalog's town numbers are samples: never shown as numbers.
    assert "咨询电话：镇便民服务中心（电话还没有设置）" in lines
    assert "投诉电话：镇纪委（电话还没有设置）" in lines


def test_notice_for_a_matter_done_on_the_spot():
    notice = one_time_notice(CATALOG, "SB-005", ["居民身份证"], date(2025, 9, 26), CAL)
    assert notice.missing == ()
    assert notice.time_limit_text() == "当场办结"
    assert "材料已齐全。" in notice.lines()


def test_notice_running_into_2027_says_the_date_is_provisional():
    notice = one_time_notice(CATALOG, "JZ-002", [], date(2026, 12, 1), CAL)
    assert notice.due.provisional
    assert notice.time_limit_text().endswith("（2027年节假日安排尚未由镇里录入完整（已按法定节假日推算），日期为暂定）")


def test_unknown_matter_code_is_a_programming_error():
    with pytest.raises(KeyError):
        one_time_notice(CATALOG, "ZZ-000", [], date(2025, 9, 26), CAL)


def test_acceptance_payload_is_complete_and_accepted_by_the_rules():
    payload = accepted_payload(
        receipt_no="XJ003-250926-0007-12", accepted_on=date(2025, 9, 26),
        applicant={"name": "李建国", "phone": "13812345678"}, summary="申请低保",
        first_officer=OFFICER, actor_level="village", calendar=CAL, catalog=CATALOG,
        code="JZ-001", present=["居民身份证", " 户口簿 "], notice_no="告知〔2025〕7号")
    assert payload["mode"] == "代办"
    assert payload["promised_due"] == "2025-11-06"
    assert payload["due_provisional"] is False
    assert payload["materials_present"] == ["居民身份证", "户口簿"]
    assert payload["materials_missing"][0] == "最低生活保障申请书"
    assert payload["matter_name"] == "最低生活保障申请"
    event = {"type": "svc.accepted", "v": 1, "payload": payload}
    assert check_transition(CaseState(record="r"), event, "village").ok


def test_problem_outside_the_catalog_is_reported_to_the_town_with_configured_limit():
    payload = accepted_payload(
        receipt_no="XJ003-250926-0008-09", accepted_on=date(2025, 9, 26),
        applicant={"name": "张桂芳"}, summary="村道塌方，需要镇里协调修复",
        first_officer=OFFICER, actor_level="village", calendar=CAL, catalog=CATALOG,
        time_limit=5)
    assert (payload["mode"], payload["matter_code"], payload["promised_due"]) == (
        "上报镇", None, "2025-10-10")


def test_problem_outside_the_catalog_needs_a_time_limit():
    with pytest.raises(ValueError):
        accepted_payload(receipt_no="XJ003-250926-0008-09", accepted_on=date(2025, 9, 26),
                         applicant={"name": "张桂芳"}, summary="村道塌方",
                         first_officer=OFFICER, actor_level="village", calendar=CAL,
                         catalog=CATALOG)
