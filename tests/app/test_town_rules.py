"""The town's catalog edits and holiday list reach its villages over real sync and
change the promises villages make (issue #3 §3)."""
from __future__ import annotations

from datetime import date

import pytest

from app.services import townrules
from app.services.desk import IntakeForm
from app.services.errors import ServiceError
from tests.app.conftest import Township
from tests.domain.calendars import HOLIDAYS_2027
from tests.support.hubs import wait_for_relay

# 2027 is past chinesecalendar's last year: without the town's complete list (every
# statutory holiday of the year), dates are provisional.
NOTICE_2027 = [date.fromisoformat(d) for d in HOLIDAYS_2027]


def test_village_cannot_change_the_towns_rules(township: Township) -> None:
    village = township.station(township.town, "王湾村", "village", ("李建国", "村委委员"))
    with pytest.raises(ServiceError) as caught:
        townrules.set_time_limit(village.station, village.cadre, "SB-001", 1, "试试")
    assert "镇里统一设置" in caught.value.message


def test_time_limit_and_holidays_sync_down_and_change_the_promise(township: Township) -> None:
    village = township.station(township.town, "王湾村", "village", ("李建国", "村委委员"))
    town = township.station(township.town, "新集镇便民服务中心", "town", ("张敏", "中心主任"),
                            roles=("settings",))
    late_in_2026 = date(2026, 12, 28)
    village.desk.today = lambda: late_in_2026
    before = village.desk.rules.catalog.matter("JZ-001")["time_limit_working_days"]
    townrules.set_time_limit(town.station, town.cadre, "JZ-001", 20, "县民政局2026年第3号通知")
    townrules.set_holidays(town.station, town.cadre, 2027, NOTICE_2027, [],
                           "国务院办公厅关于2027年部分节假日安排的通知")
    with pytest.raises(ServiceError):
        townrules.set_holidays(town.station, town.cadre, 2027, [date(2026, 1, 1)], [], "错年份")
    for _ in range(3):
        town.sync()
        wait_for_relay(township.town.url)
        village.sync()

    rules = village.desk.rules
    assert before != 20
    assert rules.catalog.matter("JZ-001")["time_limit_working_days"] == 20
    assert 2027 in rules.config.town_holidays()
    intake = village.desk.intake(village.cadre, IntakeForm(
        name="赵文堃", phone="13812345678", matter_code="JZ-001", summary="申请最低生活保障"))
    promised = intake.event["payload"]
    assert promised["time_limit_working_days"] == 20
    assert promised["due_provisional"] is False       # 2027 is now known
    assert promised["promised_due"] > "2027-01-04"     # the New Year days were skipped
