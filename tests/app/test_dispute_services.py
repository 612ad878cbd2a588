"""Dispute services on one village tablet (real SQLite, frozen clock): intake at any hour
with 首问负责人 and repeat links, sessions with attachments, the Art 29 agreement, 司法确认
and 回访 lists, extension with both sides' consent, failure and referral, screenings and
the 排查台账."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.accounts import Cadre, add_cadre
from app.services.disputes import (
    DisputeFilter, DisputeForm, Disputes, PartyForm, ScreeningFinding, ScreeningForm)
from app.services.errors import ServiceError
from app.services.workflow import Attachment
from app.station import Station, open_station
from sync import log
from sync.ids import uuid7
from sync.keys import SigningKey
from sync.store import Store

TODAY = date(2026, 11, 27)        # a Friday
ZHANG_ID = "410181198001011235"
WANG_ID = "410181198503150040"


def make_station(path: Path, kind: str = "village", name: str = "王湾村") -> Station:
    path.mkdir(parents=True, exist_ok=True)
    store = Store(path / "station.sqlite")
    store.set_identity(uuid7(), SigningKey.generate(),
                       {"kind": kind, "name": name, "short_code": "XJ001"})
    store.close()
    return open_station(path)


@dataclass
class Clock:
    day: date = TODAY

    def __call__(self) -> date:
        return self.day


@dataclass
class Room:
    station: Station
    svc: Disputes
    cadre: Cadre
    clock: Clock


@pytest.fixture
def room(tmp_path: Path):
    station = make_station(tmp_path)
    clock = Clock()
    cadre = add_cadre(station.store, "李建国", "调解委员会主任", "258046")
    yield Room(station, Disputes(station, today=clock), cadre, clock)
    station.close()


def form(summary: str = "张大山与王小河因两家之间的排水沟堵塞发生争执，多次争吵", risk: str = "中",
         zhang_id: str = ZHANG_ID, **extra) -> DisputeForm:
    parties = extra.pop("parties", None) or [
        PartyForm("张大山", "申请人", id_number=zhang_id, phone="13800000001",
                  address="王湾村三组12号"),
        PartyForm("王小河", "被申请人", address="王湾村三组13号")]
    return DisputeForm("邻里关系", parties, summary, risk, **extra)


def agreement_for(svc: Disputes, record: str) -> dict:
    doc = svc.draft_agreement(record)
    doc.update(facts="两家共用排水沟，王小河堆放杂物致堵塞", disputed_points="清理责任和院墙赔偿",
               responsibilities="王小河负主要责任",
               terms=[{"content": "王小河清理排水沟", "how": "自行清理", "due": "2026-12-05"},
                      {"content": "王小河赔偿800元", "how": "现金一次付清", "due": "2026-12-20"}],
               signatures={"parties": ["张大山", "王小河"], "mediator": "李建国", "seal": True},
               effective_on="2026-11-27")
    return doc


def test_intake_at_night_names_the_first_officer_and_numbers_the_ledger(room: Room) -> None:
    intake = room.svc.register(room.cadre, form(received_at="2026-11-26 23:40"))
    state = room.svc.dispute(intake.record)
    assert state.status == "registered"
    assert state.received_at == "2026-11-26T23:40"
    assert state.first_officer == {"id": room.cadre.id, "name": "李建国", "post": "调解委员会主任"}
    assert state.village == "王湾村" and state.first_time
    assert intake.ledger_no == "王湾村纠2026-001"
    assert not intake.alert
    second = room.svc.register(room.cadre, form("别的事", zhang_id="410181197002020024"))
    assert second.ledger_no == "王湾村纠2026-002"


def test_intake_problems_are_listed_and_nothing_is_written(room: Room) -> None:
    bad = form(parties=[PartyForm("张大山", "申请人", id_number="410181198001011234")])
    problems = room.svc.check_intake(bad)
    assert any("身份证号" in p for p in problems)
    assert any("双方当事人" in p for p in problems)
    before = room.station.store.conn.execute("SELECT COUNT(*) FROM events").fetchone()
    with pytest.raises(ServiceError, match="还有内容需要补充或改正"):
        room.svc.register(room.cadre, bad)
    with pytest.raises(ServiceError, match="晚于今天"):
        room.svc.register(room.cadre, form(received_at="2026-11-28 08:00"))
    assert room.station.store.conn.execute("SELECT COUNT(*) FROM events").fetchone() == before


def test_a_repeat_is_linked_at_intake_and_is_not_first_time(room: Room) -> None:
    first = room.svc.register(room.cadre, form())
    again = form("张大山又与王小河因排水沟堵塞发生争执")
    shown = room.svc.links_for(again)           # before saving
    assert [link.record for link in shown.links] == [first.record]
    assert shown.links[0].relation == "same_id" and not shown.first_time
    intake = room.svc.register(room.cadre, again)
    assert not intake.first_time
    state = room.svc.dispute(intake.record)
    assert state.links[0]["record"] == first.record and not state.first_time
    # the same name in another village with no ID number is someone else
    other = form(parties=[PartyForm("张大山", "申请人", village="李庄村"),
                          PartyForm("刘三", "被申请人", village="李庄村")],
                 summary="张大山与刘三因借款纠纷争吵")
    assert room.svc.links_for(other).first_time
    # the officer may drop a suggested link and decide the flag
    kept = room.svc.register(room.cadre, form("张大山与王小河因排水沟堵塞再次争吵"),
                             keep_links=[], first_time=True)
    assert kept.links == () and kept.first_time


def test_a_session_keeps_the_photo_of_the_signed_record(room: Room) -> None:
    record = room.svc.register(room.cadre, form()).record
    photo = b"\xff\xd8\xff\xe0 signed paper"
    event = room.svc.add_session(room.cadre, record, mediators="李建国、赵委员",
                                 attendees=["张大山", "王小河"], record_text="双方各自陈述",
                                 attachments=[Attachment(photo, "image/jpeg", "笔录签字页.jpg")])
    ref = event["payload"]["attachments"][0]
    assert ref["size"] == len(photo) and ref["name"] == "笔录签字页.jpg"
    assert room.svc.attachment(ref) == photo
    queued = room.station.store.conn.execute("SELECT uploaded FROM blobs_out WHERE sha256=?",
                                             (ref["sha256"],)).fetchone()
    assert queued == (0,)        # uploaded with the next sync
    session = room.svc.dispute(record).sessions[0]
    assert session.mediators == ("李建国", "赵委员") and session.level == "village"


def test_the_agreement_needs_every_art_29_field_then_reminders_follow(room: Room) -> None:
    record = room.svc.register(room.cadre, form()).record
    room.svc.add_session(room.cadre, record, mediators=["李建国"], record_text="双方同意调解")
    draft = room.svc.draft_agreement(record)
    assert [p["name"] for p in draft["parties"]] == ["张大山", "王小河"]
    assert draft["no"].startswith("王湾村调〔2026〕")
    with pytest.raises(ServiceError, match="人民调解法第二十九条") as refused:
        room.svc.record_agreement(room.cadre, record, draft)
    assert "纠纷的主要事实" in refused.value.problems
    assert room.svc.dispute(record).status == "mediating"
    room.svc.record_agreement(room.cadre, record, agreement_for(room.svc, record))
    state = room.svc.dispute(record)
    assert state.status == "agreed" and state.effective_on == TODAY
    # 司法确认: 30 days from 11-27 end on Sunday 12-27, so Monday 12-28 (民事诉讼法 Art 85)
    [reminder] = room.svc.confirmation_reminders()
    assert reminder.status.due == date(2026, 12, 28) and reminder.what == "申请司法确认"
    # 回访 falls due at the first performance deadline
    assert room.svc.revisits_due() == []
    room.clock.day = date(2026, 12, 3)
    [owed] = room.svc.revisits_due()
    assert owed.status.due == date(2026, 12, 5) and owed.terms == ("王小河清理排水沟",)
    room.clock.day = date(2026, 12, 7)
    assert room.svc.revisits_due()[0].status.state == "overdue"
    assert room.svc.ledger(DisputeFilter(overdue_only=True))[0].record == record
    room.svc.revisit(room.cadre, record, "部分履行", method="上门", note="排水沟已清理")
    assert [r.terms for r in room.svc.revisits_due(within_days=30)] == [("王小河赔偿800元",)]
    room.svc.record_confirmation(room.cadre, record, "已申请", court="县人民法院")
    assert room.svc.confirmation_reminders() == []
    room.clock.day = date(2026, 12, 21)
    room.svc.revisit(room.cadre, record, "全部履行", method="电话")
    assert room.svc.dispute(record).status == "performed"
    assert room.svc.board() == [] and room.svc.revisits_due() == []
    [row] = room.svc.ledger()
    assert row.result == "调解成功，协议书" + draft["no"] + "；司法确认已申请"
    assert row.cells()[0] == row.no


def test_extension_needs_both_parties_consent(room: Room) -> None:
    record = room.svc.register(room.cadre, form()).record
    with pytest.raises(ServiceError, match="还缺王小河的同意"):
        room.svc.extend(room.cadre, record, new_due="2027-01-15", reason="等待评估院墙修缮费用",
                        consents=[{"name": "张大山", "how": "签字"}])
    room.svc.extend(room.cadre, record, new_due="2027-01-15", reason="等待评估院墙修缮费用",
                    consents=[{"name": "张大山", "how": "签字"}, {"name": "王小河", "how": "口头"}])
    [row] = room.svc.board()
    assert row.due == date(2027, 1, 15) and "已经双方同意延长" in row.deadline


def test_failure_refers_elsewhere_and_the_limit_turns_red_when_missed(room: Room) -> None:
    late = room.svc.register(room.cadre, form("王家与李家因宅基地边界争执", parties=[
        PartyForm("王五", "当事人"), PartyForm("李六", "当事人")])).record
    referred = room.svc.register(room.cadre, form()).record
    room.svc.add_session(room.cadre, referred, mediators="李建国", record_text="分歧很大")
    assert "上报县调处中心" not in room.svc.referral_choices()
    with pytest.raises(ServiceError, match="村里调解不成的应上报镇调处中心"):
        room.svc.record_failure(room.cadre, referred, reason="分歧大", referral_to="上报县调处中心")
    room.svc.record_failure(room.cadre, referred, reason="双方对赔偿金额分歧过大",
                            referral_to="诉讼", unit="县人民法院")
    state = room.svc.dispute(referred)
    assert state.status == "referred" and state.status_name == "调解不成，已引导诉讼"
    room.clock.day = TODAY + timedelta(days=32)     # the one-month limit has passed
    [row] = room.svc.board()
    assert row.record == late and row.overdue and "已超期" in row.deadline
    assert [r.record for r in room.svc.ledger(DisputeFilter(status="referred"))] == [referred]


def test_a_village_cannot_take_a_high_risk_alert_and_the_town_alert_lists_it(room: Room) -> None:
    intake = room.svc.register(room.cadre, form(risk="高"))
    assert intake.alert
    assert [a.record for a in room.svc.alerts()] == [intake.record]
    assert ("dispute.taken", "认领包案") not in room.svc.actions(room.svc.dispute(intake.record))
    with pytest.raises(ServiceError, match="村里不能认领"):
        room.svc.take(room.cadre, intake.record)


def test_ledger_search_and_filters(room: Room) -> None:
    a = room.svc.register(room.cadre, form(risk="高")).record
    b = room.svc.register(room.cadre, form("孙家与周家因耕地灌溉用水发生争执", zhang_id="410181197002020024",
                                           parties=[PartyForm("孙七", "申请人"),
                                                    PartyForm("周八", "被申请人")])).record
    assert [r.record for r in room.svc.ledger(DisputeFilter(text="王小河"))] == [a]
    assert [r.record for r in room.svc.ledger(DisputeFilter(text="灌溉"))] == [b]
    assert [r.record for r in room.svc.ledger(DisputeFilter(risk="高"))] == [a]
    assert {r.record for r in room.svc.ledger(DisputeFilter(status="open"))} == {a, b}
    with pytest.raises(ServiceError):
        room.svc.ledger(DisputeFilter(text="，。"))
    # the high-risk one nobody took comes first on the board
    assert [r.record for r in room.svc.board()] == [a, b]


def test_screenings_and_the_schedule(room: Room) -> None:
    assert room.svc.screening_schedule()[0].label == "王湾村：尚未开展排查，请尽快排查"
    with pytest.raises(ServiceError, match="未发现矛盾纠纷"):
        room.svc.record_screening(room.cadre, ScreeningForm(screeners="李建国"))
    room.svc.record_screening(room.cadre, ScreeningForm(
        screeners="李建国、赵委员", on="2026-11-20",
        findings=[ScreeningFinding("三组两户因排水沟有矛盾", "邻里关系", "中", ["张大山", "王小河"])]))
    [screening] = room.svc.screenings()
    assert screening.village == "王湾村" and screening.screeners == ("李建国", "赵委员")
    [due] = room.svc.screening_schedule()
    assert due.last_on == date(2026, 11, 20) and due.status.due == date(2026, 12, 20)


def test_export_and_rebuild_give_the_same_ledger(room: Room, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    record = room.svc.register(room.cadre, form(risk="高")).record
    room.svc.add_session(room.cadre, record, mediators="李建国", record_text="第一次调解")
    rows = room.svc.ledger()
    path = room.svc.export_xlsx(rows, tmp_path / "台账.xlsx", "王湾村矛盾纠纷排查台账")
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[2]][:4] == ["编号", "纠纷类型", "当事人", "简要情况"]
    assert sheet.cell(3, 5).value == "高"
    conn = room.station.store.conn
    before = conn.execute("SELECT * FROM disputes").fetchall()
    conn.execute("DELETE FROM disputes")
    room.station.projections.rebuild(conn)
    assert conn.execute("SELECT * FROM disputes").fetchall() == before
    assert len(log.of_record(conn, record)) == 2


def test_a_dispute_arriving_before_its_village_announced_itself_is_folded_later(
        tmp_path: Path) -> None:
    """Pulled in this order, the village's level is unknown at first (its step is refused
    as from an unknown level); its node.announced makes the fold run again."""
    import json as _json
    town = make_station(tmp_path, "town", "新集镇矛盾调处化解中心")
    try:
        conn = town.store.conn

        def pulled(seq: int, type_: str, record: str, kind: str, payload: dict) -> dict:
            text = _json.dumps(payload, ensure_ascii=False)
            return {"id": f"ev-{seq}", "origin": "v-far", "seq": seq, "hlc": 1000 + seq,
                    "type": type_, "v": 1, "record": record, "kind": kind, "author": "u",
                    "owner": None, "payload": payload, "payload_json": text, "prev": "0",
                    "hash": f"h{seq}"}

        registered = pulled(2, "dispute.registered", "dsp-far", "dispute", {
            "type": "土地", "parties": [{"name": "甲", "role": "当事人"}, {"name": "乙", "role": "当事人"}],
            "summary": "地界争执", "first_officer": {"name": "村干部"}, "risk": "高",
            "received_at": "2026-11-26T08:00", "village": "远村"})
        announced = pulled(1, "node.announced", "v-far", "node",
                           {"name": "远村", "level": "village"})
        for batch in ([registered], [announced]):
            log.insert(conn, batch)
            town.projections(conn, batch)
            if batch == [registered]:
                assert conn.execute("SELECT COUNT(*) FROM disputes").fetchone() == (0,)
        assert conn.execute("SELECT status, risk, level, origin FROM disputes").fetchall() == [
            ("registered", "高", "village", "v-far")]
        svc = Disputes(town, today=lambda: TODAY)
        assert [a.record for a in svc.alerts()] == ["dsp-far"]
    finally:
        town.close()
