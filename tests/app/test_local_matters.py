"""A village's own matter: proposed by the village, approved (or refused with a reason) by
a town cadre with the settings role, then offered at that village only (issue #8 §3)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.accounts import SETTINGS_ROLE
from app.domain.service.local_matters import fold
from app.services.desk import Desk, IntakeForm
from app.services.errors import ServiceError
from app.services.local_matters import LocalMatterForm, decide, proposal, proposals, propose
from app.services.rules import load_rules
from app.station import Station
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked


@pytest.fixture
def places(tmp_path: Path) -> Iterator[tuple[Station, Station, Station]]:
    wangwan = unlocked(make_station(tmp_path / "wangwan"))
    lizhuang = unlocked(make_station(tmp_path / "lizhuang", "李庄村", short_code="XJ002",
                                         cadres=(("李春花", "代办员"),)))
    town = unlocked(make_station(
        tmp_path / "town", "新集镇便民服务中心", "town", "XJ900",
        (("张敏", "便民服务中心主任", (SETTINGS_ROLE,)), ("赵文博", "民政办科员"))))
    yield wangwan, lizhuang, town
    for station in (wangwan, lizhuang, town):
        station.close()


def form(**changes) -> LocalMatterForm:
    values = dict(name="本村公益性岗位报名", category="劳动就业", time_limit="3",
                  time_limit_source="村民代表会议2026年第2次会议决定",
                  legal_basis="王湾村村规民约第十二条\n村民代表会议决定",
                  conditions="本村脱贫户、监测户家庭成员\n年满18周岁、身体能胜任",
                  procedure="到村便民服务站报名\n村两委审核并公示3天\n公示无异议后安排上岗",
                  materials="居民身份证\n户口簿，复印件", reason="村里新设保洁、护林公益岗，群众常来问")
    values.update(changes)
    return LocalMatterForm(**values)


def test_a_village_matter_approved_by_the_town_is_offered_there_only(places) -> None:
    wangwan, lizhuang, town = places
    record = propose(wangwan, cadre(wangwan, "李建国"), form(), TODAY)
    assert proposal(wangwan, record).status_name == "待镇里审批"
    carry(wangwan, town)
    (pending,) = proposals(town)
    assert (pending.record, pending.matter["name"]) == (record, "本村公益性岗位报名")
    assert pending.matter["materials"][1] == {"name": "户口簿", "copies": 1, "form": "复印件",
                                              "issuer": "申请人"}
    with pytest.raises(ServiceError) as caught:
        decide(town, cadre(town, "赵文博"), record, True, "同意", TODAY)
    assert "只有有设置权限的干部" in caught.value.message
    decide(town, cadre(town, "张敏"), record, True, "同意，按村民代表会议决定办理", TODAY)
    carry(town, wangwan)
    carry(town, lizhuang)
    assert proposal(wangwan, record).status == "approved"
    catalog = load_rules(wangwan.store.conn).catalog
    matter = catalog.matter("CL-001")
    assert (matter["level"], matter["only_for"], matter["proposed_by"]) == (
        "village", [wangwan.node_id], "王湾村")
    assert matter["forward_to"] == "county_hrss"     # as the catalog's 劳动就业 matters
    taken = Desk(wangwan, today=lambda: TODAY).intake(cadre(wangwan, "李建国"), IntakeForm(
        name="王秀英", phone="13812345678", matter_code="CL-001", summary="报名公益性岗位"))
    assert taken.notice.matter["name"] == "本村公益性岗位报名"
    with pytest.raises(ServiceError) as caught:
        Desk(lizhuang, today=lambda: TODAY).intake(cadre(lizhuang, "李春花"), IntakeForm(
            name="李四", phone="13812345678", matter_code="CL-001", summary="报名"))
    assert "别的村的本村事项" in caught.value.message


def test_a_refusal_says_why_and_adds_nothing(places) -> None:
    wangwan, _, town = places
    record = propose(wangwan, cadre(wangwan, "李建国"), form(), TODAY)
    carry(wangwan, town)
    with pytest.raises(ServiceError) as caught:
        decide(town, cadre(town, "张敏"), record, False, " ", TODAY)
    assert caught.value.message == "审批要写明理由（不批准的要说明为什么）"
    before = load_rules(town.store.conn).catalog.version
    decide(town, cadre(town, "张敏"), record, False, "公益岗由镇人社所统一招聘，村里不单独受理", TODAY)
    assert proposal(town, record).status_name == "未批准"
    assert load_rules(town.store.conn).catalog.version == before
    with pytest.raises(ServiceError) as caught:
        decide(town, cadre(town, "张敏"), record, True, "再想想", TODAY)
    assert caught.value.message == "这个申请已经未批准，不能再审批"


@pytest.mark.parametrize("changes, message", [
    ({"name": "岗"}, "请填写事项名称"),
    ({"time_limit": "三天"}, "承诺时限请填 0 到 120 个工作日"),
    ({"conditions": "\n"}, "请填写办理条件，每行一条。"),
    ({"reason": ""}, "请写明为什么需要这个事项。"),
])
def test_an_incomplete_proposal_says_what_is_missing_and_writes_nothing(places, changes, message):
    wangwan = places[0]
    before = wangwan.store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    with pytest.raises(ServiceError) as caught:
        propose(wangwan, cadre(wangwan, "李建国"), form(**changes), TODAY)
    assert message in caught.value.message
    assert wangwan.store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before


def test_a_decision_from_a_village_is_kept_as_rejected(places) -> None:
    from sync import log
    wangwan, lizhuang, _ = places
    record = propose(wangwan, cadre(wangwan, "李建国"), form(), TODAY)
    real = log.of_record(wangwan.store.conn, record)
    forged = {"id": "forged", "origin": lizhuang.node_id, "seq": 1, "hlc": real[-1]["hlc"] + 1,
              "type": "catalog.proposal_decided", "v": 1, "record": record, "author": "x",
              "payload": {"on": "2026-11-27", "decision": "approved", "reason": "自己批",
                          "code": "CL-009"}}
    levels = {wangwan.node_id: "village", lizhuang.node_id: "village"}
    state = fold([*real, forged], levels)
    assert state.status == "pending"
    assert state.rejected[0].reason == "村里申请的事项由镇里审批，村里不能审批"
