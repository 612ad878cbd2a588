"""The service desk's step dates come from the rules in force (RULES.md §1 全程代理制):
the town's answer to an escalation (``service.escalation_answer_working_days``) and the
转办函's deadline (``service.forward_reply_working_days``), in working days, and the
overdue alert names the configured leader (``service.overdue_notify_role``)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from app.accounts import add_cadre
from app.domain.service.deadlines import overdue_alerts
from app.domain.shared.workdays import WorkCalendar
from app.services.desk import Desk, IntakeForm
from tests.app.test_screen_services import _station
from tests.support.papers import set_town_papers

TODAY = date(2026, 11, 27)          # a Friday


def _intake(desk: Desk, cadre) -> str:
    return desk.intake(cadre, IntakeForm(name="王秀英", phone="13812345678",
                                         matter_code="JZ-003", summary="申请临时救助")).record


def test_an_escalation_is_due_back_in_the_configured_working_days(tmp_path: Path) -> None:
    (tmp_path / "v").mkdir()
    village = _station(tmp_path / "v")
    try:
        cadre = add_cadre(village.store, "李建国", "村委委员", "258046")
        desk = Desk(village, today=lambda: TODAY)
        record = _intake(desk, cadre)
        event = desk.escalate(cadre, record, "需镇里审核")
        assert event["payload"]["due"] == "2026-12-04"   # 5 working days: Mon 11-30 .. Fri 12-04
        [alert] = [a for a in overdue_alerts(desk.case(record), date(2026, 12, 7), WorkCalendar(),
                                             desk.rules.config.value("service.overdue_notify_role"))
                   if a.kind == "step"]
        assert alert.message.endswith("请分管领导督办")
    finally:
        village.close()


def test_a_transfer_letter_gives_the_configured_working_days(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    town = _station(tmp_path / "t", kind="town")
    try:
        cadre = add_cadre(town.store, "张敏", "中心主任", "258046")
        set_town_papers(town, cadre, "http://town.test/status")   # the 转办函's 机关代字
        desk = Desk(town, today=lambda: TODAY)
        record = _intake(desk, cadre)
        desk.act(cadre, record, "svc.started", {})
        event = desk.forward(cadre, record, "county_civil", "请审核临时救助")
        # 15 working days from Friday 11-27: Mon 11-30 .. Fri 12-18
        assert event["payload"]["letter"]["deadline"] == "2026-12-18"
    finally:
        town.close()
