"""End to end with real hub processes (issue #3 §4): village intake → town inbox →
forwarded to a county department → county reply → the village tablet shows the reply →
the citizen's rating flows back up to the town."""
from __future__ import annotations


from app.services.desk import IntakeForm
from tests.app.conftest import Township
from tests.support.hubs import wait_for_relay


def settle(township: Township, *names: str, rounds: int = 3) -> None:
    """Sync the named stations a few times, giving the town hub's relay time to run."""
    for _ in range(rounds):
        for name in names:
            township.places[name].sync()
        wait_for_relay(township.town.url)


def test_matter_goes_up_to_county_and_the_answer_comes_back(township: Township) -> None:
    village = township.station(township.town, "王湾村", "village", ("李建国", "村委委员"))
    town = township.station(township.town, "新集镇便民服务中心", "town", ("张敏", "中心主任"))
    county = township.station(township.county, "县人社局窗口", "county", ("刘强", "科员"))
    intake = village.desk.intake(village.cadre, IntakeForm(
        name="王秀英", phone="13812345678", matter_code="SB-001", summary="申请办理城乡居民养老保险参保登记",
        id_number="11010519491231002X", materials_present=["居民身份证"]))
    assert intake.receipt_no.startswith(village.station.short_code)
    village.desk.escalate(village.cadre, intake.record, "村里无法办理，报镇里协调")
    settle(township, "王湾村", "新集镇便民服务中心", "县人社局窗口")

    seen_at_town = town.desk.case(intake.record)
    assert seen_at_town.status == "escalated"
    assert seen_at_town.first_officer["name"] == "李建国"
    town.desk.forward(town.cadre, intake.record, "county_hrss", "请县人社局核实参保资格")
    settle(township, "新集镇便民服务中心", "县人社局窗口", "王湾村")

    assert county.desk.case(intake.record).status == "forwarded"
    county.desk.act(county.cadre, intake.record, "svc.replied",
                    {"reply": "已核实，可以参保，请携带户口簿到镇里办理", "department": "县人社局"})
    settle(township, "县人社局窗口", "新集镇便民服务中心", "王湾村")

    at_village = village.desk.case(intake.record)
    assert at_village.status == "replied"
    assert at_village.reply["reply"].startswith("已核实")
    town.desk.act(town.cadre, intake.record, "svc.closed",
                  {"outcome": "resolved", "result": "已按县人社局答复办理"})
    settle(township, "新集镇便民服务中心", "王湾村")
    village.desk.act(village.cadre, intake.record, "svc.fed_back", {"method": "电话"})
    village.desk.act(village.cadre, intake.record, "svc.rated",
                     {"level": "满意", "dissatisfied": False})
    settle(township, "王湾村", "新集镇便民服务中心")

    rated = town.desk.case(intake.record)
    assert rated.rating["level"] == "满意"
    assert rated.first_officer["name"] == "李建国"
    assert not rated.rejected
