"""The 纪委's cases over real sync (issue #13 §2, §5): a report taken on a village tablet
becomes a case at the town's 纪委; 一案双查 blocks 结案; the case is shared with one
neighbouring town (办案协作区). The access matrix, asserted both ways on real hub
processes and encrypted stations: who receives case events, who can read them, who may
write them (forgeries from tests/support/malicious.py refused by the first hub), and no
database — station or hub, decrypted with its own key — holds a word of the case.

    county 新县 ─┬─ 新集镇: 王湾村 (takes the report), 李庄村, 便民服务中心, 新集镇纪委
                 ├─ 县人社局窗口, 县纪委
                 ├─ 柳河镇: 柳河村, 柳河镇纪委   (in the 协作区)
                 └─ 王店镇: 王店镇纪委           (outside it)
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app import sealing
from app.accounts import add_cadre
from app.services.discipline import DisciplineDesk
from app.services.errors import ServiceError
from app.services.petitions import Petitions
from tests.support.dbfiles import decrypted_text, open_db
from tests.sync.crafted import problem_of
from tests.support.township import PIN, Place, Township, _town, build
from tests.support.hubs import wait_for_relay

TODAY = date(2026, 11, 27)
CONTENT = "村主任孙有财把危房改造补助款打进自己小舅子的账户"
SECRETS = ("孙有财", "危房改造", "小舅子", "周凤英", "收受补助款", "对村主任管理失之于宽")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Township]:
    root = tmp_path_factory.mktemp("discipline")
    town = build(root)
    third = _town(root, town.county, "王店镇")
    extra: dict[str, Any] = {}
    try:
        from app.station import open_station
        from app.services.desk import Desk
        for role, hub, name, kind in (("county_jiwei", town.county, "县纪委", "county"),
                                      ("zone_jiwei", town.other_town, "柳河镇纪委", "town"),
                                      ("far_jiwei", third, "王店镇纪委", "town")):
            _, code = hub.add_node(name, kind, ("discipline",))
            station = open_station(root / f"st-{role}")
            station.enroll(hub.url, code)
            cadre = add_cadre(station.store, f"{name[:3]}干部", "纪检员", PIN)
            town.places[role] = Place(role, station, Desk(station, today=lambda: TODAY), cadre, hub)
        extra["third"] = third
        sync(town, third)
        town.third = third  # type: ignore[attr-defined]
        yield town
    finally:
        third.stop()
        town.close()


def sync(world: Township, third: Any = None) -> None:
    third = third or world.third  # type: ignore[attr-defined]
    for _ in range(3):
        for place in world.places.values():
            place.sync()
        for hub in (world.town, world.other_town, third):
            wait_for_relay(hub.url)
    for place in world.places.values():
        place.sync()


def desk(world: Township, role: str) -> DisciplineDesk:
    return DisciplineDesk(world[role].station, today=lambda: TODAY)


def case_events(place: Place) -> list[dict[str, Any]]:
    conn = open_db(place.station)
    try:
        return [json.loads(p) for (p,) in conn.execute(
            "SELECT payload FROM events WHERE kind='discipline_case'")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def the_case(world: Township) -> str:
    village = world["A"]
    filed = Petitions(village.station, today=lambda: TODAY,
                      now=lambda: datetime(2026, 11, 27, 9, 0)).file_accusation(
        village.cadre, content=CONTENT, accused=[{"name": "孙有财", "post": "村主任"}],
        channel="来访", seal=sealing.seal_for_discipline,
        complainant={"name": "周凤英", "phone": "13812349876"})
    sync(world)
    jiwei = desk(world, "jiwei")
    [report] = [r for r in jiwei.reports() if r["receipt_no"] == filed["receipt_no"]]
    assert report["content"] == CONTENT and report["case"] is None
    cadre = world["jiwei"].cadre
    state = jiwei.open_case(cadre, {
        "received": "2026-11-27", "source": "检举控告", "report": report["record"],
        "receipt_no": report["receipt_no"], "named_reporter": True,
        "subject": {"name": "孙有财", "unit": "王湾村村委会", "post": "村主任"},
        "summary": "危房改造补助款打入亲属账户"})
    record = state.record
    for kind, body in (("discipline.case_disposed", {"on": "2026-11-27", "disposal": "初步核实"}),
                       ("discipline.case_filed", {"on": "2026-11-27", "basis": "初核查明收款"}),
                       ("discipline.case_investigated", {"on": "2026-11-27", "substantiated": True,
                                                         "facts": "收受补助款三万六千元"}),
                       ("discipline.case_decided", {"on": "2026-11-27", "handling": ["党纪处分"],
                                                    "persons": [{"name": "孙有财", "post": "村主任"}]})):
        jiwei.act(cadre, record, kind, body)
    assert jiwei.reports()[0]["case"] == record
    return record


def test_double_check_blocks_closing_then_the_case_closes(world: Township, the_case: str) -> None:
    jiwei, cadre = desk(world, "jiwei"), world["jiwei"].cadre
    with pytest.raises(ServiceError, match="一案双查"):
        jiwei.act(cadre, the_case, "discipline.case_concluded", {"on": "2026-11-27"})
    assert "结案" not in [label for _, label in jiwei.actions(jiwei.case(the_case))]
    jiwei.act(cadre, the_case, "discipline.review_recorded", {
        "on": "2026-11-27", "kind": "主体责任", "subject": "王湾村党支部", "finding": "存在责任",
        "facts": "对村主任管理失之于宽", "handling": ["诫勉"]})
    with pytest.raises(ServiceError, match="监督责任"):
        jiwei.act(cadre, the_case, "discipline.case_concluded", {"on": "2026-11-27"})
    jiwei.act(cadre, the_case, "discipline.review_recorded", {
        "on": "2026-11-27", "kind": "监督责任", "subject": "新集镇纪委", "finding": "不存在责任",
        "facts": "已按时督办", "handling": ["不予问责"], "reason": "已履职"})
    state = jiwei.act(cadre, the_case, "discipline.case_concluded", {"on": "2026-11-27"})
    assert state.status == "concluded"
    assert [(e["name"], e["handling"]) for e in jiwei.integrity_file()] == [
        ("孙有财", "党纪处分"), ("王湾村党支部", "诫勉")]
    clocks = {c.name for c in jiwei.clocks(state)}
    assert {"向实名举报人反馈处理结果", "回访"} <= clocks


def test_access_matrix_over_real_sync(world: Township, the_case: str) -> None:
    jiwei = desk(world, "jiwei")
    towns = {place.hub.url: place.station.hub_id() for place in world.places.values()}
    zone_town = towns[world.other_town.url]
    jiwei.act(world["jiwei"].cadre, the_case, "discipline.case_shared",
              {"on": "2026-11-27", "towns": [zone_town]})
    sync(world)

    readers = {"jiwei", "county_jiwei", "zone_jiwei"}
    receivers = readers | {"far_jiwei"}        # every 纪委 device: ciphertext
    for role, place in world.places.items():
        held = case_events(place)
        assert bool(held) == (role in receivers), role
        for payload in held:
            assert set(payload) == {"sealed"}
        if role in receivers:
            cases = [c.record for c in desk(world, role).cases()]
            assert (the_case in cases) == (role in readers), role
        else:
            with pytest.raises(ServiceError, match="只有纪委"):
                DisciplineDesk(place.station)
    # The partner reads the whole case, from before it was shared too.
    partner = desk(world, "zone_jiwei").case(the_case)
    assert partner.subject["name"] == "孙有财" and partner.substantiated
    assert [s.what for s in partner.steps][:3] == ["受理", "处置", "立案"]
    # The county 纪委 sees it and its report.
    county = desk(world, "county_jiwei")
    assert county.case(the_case).status == "concluded"
    assert any(r["content"] == CONTENT for r in county.reports())
    # The taking tablet, the town's service centre: only the sealed line of the report.
    for role in ("A", "center"):
        for row in Petitions(world[role].station, today=lambda: TODAY).accusations():
            assert "已密封" in row["line"] and "孙有财" not in row["line"]

    # Nothing readable in any database, decrypted with its own key (stations and hubs).
    for place in world.places.values():
        data = decrypted_text(place.station)
        assert [s for s in SECRETS if s.encode() in data] == [], place.role
    for hub in (world.county, world.town, world.other_town, world.third):  # type: ignore[attr-defined]
        data = decrypted_text(hub)
        assert [s for s in SECRETS if s.encode() in data] == [], hub.data
        assert b"discipline.case_concluded" in data      # the case passed through, sealed


def test_forgeries_are_refused_where_they_first_arrive(world: Township, the_case: str) -> None:
    sealed = {"sealed": sealing.seal_for_discipline(world["A"].station, b'{"on":"2026-11-27"}')}
    # The taking village tablet (no village writes a case), the town's service centre
    # (a town station without the discipline role).
    for role, code in (("A", "wrong_level"), ("center", "role_required")):
        tablet = world[role].tablet()
        for kind, record in (("discipline.case_concluded", the_case),
                             ("discipline.case_opened", None)):
            reply = tablet.push([tablet.event(kind, record, sealed)])
            assert problem_of(reply, 403, code)["title"], (role, kind)
    assert "纪委" in problem_of(world["center"].tablet().push([world["center"].tablet().event(
        "discipline.case_filed", the_case, sealed)]), 403, "role_required")["title"]
    # A neighbouring town's 纪委 in the zone reads, but may not record a step: its hub
    # refuses, and its own desk says why before that.
    zone = world["zone_jiwei"]
    tablet = zone.tablet()
    reply = tablet.push([tablet.event("discipline.case_revisited", the_case, sealed)])
    problem_of(reply, 403, "not_holder")
    with pytest.raises(ServiceError, match="协作区的乡镇只能查看"):
        desk(world, "zone_jiwei").act(zone.cadre, the_case, "discipline.case_revisited",
                                      {"on": "2026-11-27", "result": "x"})


def test_village_never_opens_its_own_report(world: Township, the_case: str) -> None:
    village = world["A"].station
    [event] = [e for e in sealing.sealed_events(village)]
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(village, event["payload"]["sealed"])
    assert not sealing.can_open(village)
    assert Path(village.data / "station.sqlite").exists()
