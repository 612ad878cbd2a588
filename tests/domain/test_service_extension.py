"""Service-desk extensions reach at most the matter's 延长时限 in the catalog (issue #10
item 10; RULES.md §1 服务承诺制: e.g. 低保 25 working days, 40 in special cases)."""
from __future__ import annotations

from datetime import date, timedelta

import schemas.catalog
from app.domain.service.catalog import Catalog
from app.domain.service.flow import check_transition
from app.domain.service.intake import accepted_payload
from app.domain.shared.workdays import WorkCalendar, add_working_days
from schemas.registry import build_registry
from tests.domain.builders import Log

CATALOG = Catalog(schemas.catalog.load_matters())
CAL = WorkCalendar()
OFFICER = {"id": "u-wang", "name": "王秀兰", "post": "代办员"}


def _accepted(code: str) -> Log:
    payload = accepted_payload(receipt_no="XJ003-250926-0007-12", accepted_on=date(2025, 9, 26),
                               applicant={"name": "李建国"}, summary="申请", first_officer=OFFICER,
                               actor_level="village", calendar=CAL, catalog=CATALOG, code=code)
    build_registry().validate("svc.accepted", 1, payload)
    log = Log()
    log.add("svc.accepted", "v1", payload)
    return log


def _extend(log: Log, new_due: str):
    event = log.event("svc.extended", "v1", new_due=new_due, reason="需入户核查，属特殊情况")
    return check_transition(log.state(), event, "village")


def test_the_acceptance_records_how_far_the_promise_may_stretch():
    log = _accepted("JZ-001")  # 低保: 25 working days, 40 in special cases
    state = log.state()
    forty = add_working_days(date(2025, 9, 26), 40, CAL).date
    assert (state.due, state.extension_ceiling, state.extended_limit) == (
        date(2025, 11, 6), forty, 40)
    assert forty == date(2025, 11, 27)


def test_an_extension_within_the_catalogs_extended_limit_is_allowed():
    log = _accepted("JZ-001")
    assert _extend(log, "2025-11-27").ok
    verdict = _extend(log, "2025-11-28")
    assert (verdict.code, verdict.message) == ("beyond_extended_limit", (
        "本事项特殊情况最多延长至40个工作日，延期后的日期不能晚于2025-11-27（事项目录的延长时限）"))


def test_a_matter_without_an_extended_limit_cannot_be_extended():
    log = _accepted("JZ-003")  # 临时救助: 10 working days, no 延长时限
    state = log.state()
    assert state.extension_ceiling == state.due and state.extended_limit is None
    verdict = _extend(log, (state.due + timedelta(days=1)).isoformat())
    assert verdict.code == "no_extended_limit"
    assert verdict.message.startswith("本事项在事项目录中没有延长时限，不能延期")
