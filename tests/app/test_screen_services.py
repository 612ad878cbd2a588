"""Kivy-free helpers the screens call: which action buttons to show (decided by
the gate of the case's declaration), and the sync round that runs off the UI thread."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from app.accounts import add_cadre
from app.domain.service.flow import SERVICE_CASE
from app.services.desk import Desk, IntakeForm
from app.services.syncing import catch_up, status_line, sync_round
from app.station import Station, open_station
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.status import SyncStatus, sync_status
from sync.store import Store

TODAY = date(2026, 11, 27)


def _station(path: Path, kind: str = "village", **extra) -> Station:
    store = Store(path / "station.sqlite")
    store.set_identity(uuid7(), SigningKey.generate(),
                       {"kind": kind, "name": "王湾村", "short_code": "XJ001", **extra})
    store.close()
    return open_station(path)


@pytest.fixture
def village(tmp_path: Path):
    station = _station(tmp_path)
    yield station
    station.close()


def _labels(state, level: str) -> list[str]:
    return [label for _, label in SERVICE_CASE.buttons(state, level)]


def test_a_fresh_village_case_offers_start_settle_and_escalate_only(village: Station) -> None:
    cadre = add_cadre(village.store, "李建国", "村委委员", "258046")
    desk = Desk(village, today=lambda: TODAY)
    intake = desk.intake(cadre, IntakeForm(name="王秀英", phone="13812345678",
                                           matter_code="SB-001", summary="参保登记"))
    state = desk.case(intake.record)
    # SB-001 has no 延长时限 in the catalog: no 延期 (issue #10 item 10)
    assert _labels(state, "village") == ["开始办理", "即办办结", "上报镇", "补齐材料", "修改信息",
                                         "撤件"]
    low = desk.case(desk.intake(cadre, IntakeForm(name="王秀英", phone="13812345678",
                                                  matter_code="JZ-001", summary="申请低保")).record)
    assert "延期" in _labels(low, "village")          # 低保: 25 working days, 40 in special cases
    desk.escalate(cadre, intake.record, "报镇里协调")
    escalated = desk.case(intake.record)
    # The town holds it now: the village can only complete, ask after, correct or withdraw.
    assert _labels(escalated, "village") == ["补齐材料", "催办", "修改信息", "撤件"]
    assert "转办县直部门" in _labels(escalated, "town")
    assert "退回" in _labels(escalated, "town")
    assert "上报镇" not in _labels(escalated, "town")


def test_reopening_is_offered_only_after_a_dissatisfied_rating(village: Station) -> None:
    cadre = add_cadre(village.store, "李建国", "村委委员", "258046")
    desk = Desk(village, today=lambda: TODAY)
    record = desk.intake(cadre, IntakeForm(name="王秀英", phone="13812345678",
                                           matter_code="SB-005", summary="打印证明")).record
    desk.act(cadre, record, "svc.done_at_once", {"result": "已打印"})
    desk.act(cadre, record, "svc.fed_back", {"method": "当面"})
    assert _labels(desk.case(record), "village") == ["评价", "修改信息"]
    desk.act(cadre, record, "svc.rated", {"level": "满意", "dissatisfied": False})
    assert "重新办理" not in _labels(desk.case(record), "village")


def test_a_round_without_a_hub_says_so_and_writes_nothing(village: Station) -> None:
    result = sync_round(village.data, village.key)
    assert not result.ok and "登记" in (result.error or "")
    catch_up(village)
    status = sync_status(village.store)
    assert status.last_attempt_ms is None and status.last_success_ms is None


def test_status_line_reads_in_chinese() -> None:
    now = datetime(2026, 11, 27, 15, 0)
    at = int(datetime(2026, 11, 27, 10, 32).timestamp() * 1000)
    line = status_line(SyncStatus(True, 3, at, at, None, 0), now)
    assert line == "上次同步 今天 10:32 · 待上传 3 条"
    assert status_line(SyncStatus(True, 0, None, None, "x", 0), now) == "还没有同步成功过 · 全部已上传"


def test_status_line_says_when_the_hub_time_was_not_learned() -> None:
    now = datetime(2026, 11, 27, 15, 0)
    at = int(datetime(2026, 11, 27, 10, 32).timestamp() * 1000)
    warned = SyncStatus(True, 0, at, at, None, 0, clock_warning="服务器的时间比本机快了 3 天")
    assert status_line(warned, now) == "上次同步 今天 10:32 · 全部已上传 · 本机日期时间可能不对，请核对"
