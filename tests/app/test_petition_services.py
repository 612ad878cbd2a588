"""Petition services on one tablet (real SQLite, frozen clock): registration with group
limits and a public receipt, a village that registers for the town, the 15/60/30-day
clocks through the services, the extension cap in total, the days-left board, the
proposals at intake (confirm or override with a reason), the county's 交办 hint,
termination with a follow-up person, 包案, 接访 and 评价, and 检举控告 written only sealed."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from app.accounts import Cadre, add_cadre
from app.sealing import seal_for_discipline
from app.services.errors import ServiceError
from app.services.petitions import PetitionFilter, PetitionForm, PetitionerForm, Petitions
from app.station import Station
from tests.app.test_dispute_services import Clock, make_station

TODAY = date(2026, 3, 2)          # a Monday
LIU_ID = "410181197002020024"


@dataclass
class Desk:
    station: Station
    svc: Petitions
    cadre: Cadre
    clock: Clock


def _desk(path: Path, kind: str, name: str) -> Desk:
    station = make_station(path, kind, name)
    clock = Clock(TODAY)
    cadre = add_cadre(station.store, "陈接访", "信访代理员", "258046")
    return Desk(station, Petitions(station, today=clock), cadre, clock)


@pytest.fixture
def village(tmp_path: Path):
    desk = _desk(tmp_path / "v", "village", "西李村")
    yield desk
    desk.station.close()


@pytest.fixture
def town(tmp_path: Path):
    desk = _desk(tmp_path / "t", "town", "新集镇信访工作站")
    yield desk
    desk.station.close()


@pytest.fixture
def county(tmp_path: Path):
    desk = _desk(tmp_path / "c", "county", "县信访局")
    yield desk
    desk.station.close()


def letter(**extra) -> PetitionForm:
    base = dict(channel="来信", category="申诉求决",
                petitioners=[PetitionerForm("刘桂芳", id_number=LIU_ID, phone="13900000003")],
                summary="反映承包地被邻组占用，要求重新丈量并恢复原界", request="恢复承包地原界",
                received_at="2026-03-02 19:30")
    base.update(extra)
    return PetitionForm(**base)


def labels(desk: Desk, record: str) -> list[str]:
    return [c.label for c in desk.svc.clocks(record)]


def test_clocks_run_from_registration_to_answer(town: Desk) -> None:
    intake = town.svc.register(town.cadre, letter())
    record = intake.record
    assert intake.preview.first_time and intake.preview.proposal is None   # Art 18: no 越级
    assert intake.receipt_no == town.svc.petition(record).receipt_no != ""
    assert labels(town, record) == ["受理告知：还剩15天（截止2026-03-17）"]
    town.clock.day = date(2026, 3, 16)
    [row] = town.svc.board()
    assert row.first_time and row.days_left == 1 and not row.overdue
    town.clock.day = date(2026, 3, 18)
    assert town.svc.board()[0].overdue                        # red at every level
    town.svc.accept(town.cadre, record, notice_on="2026-03-10", on="2026-03-10")
    state = town.svc.petition(record)
    assert state.status == "accepted" and state.decision["notice_no"].startswith("新集镇信访工作站信受〔2026〕")
    # 60 days from 03-10 end on Saturday 05-09, a working Saturday (调休) in 2026
    assert labels(town, record) == ["受理告知：按期完成", "办理期限：还剩52天（截止2026-05-09）"]
    with pytest.raises(ServiceError, match="合计不得超过30日"):
        town.svc.extend(town.cadre, record, days=31, approver="王书记", reason="等资料")
    town.svc.extend(town.cadre, record, days=30, approver={"name": "王书记", "post": "镇党委书记"},
                    reason="需等待县里土地确权资料")
    assert labels(town, record)[1] == "办理期限（已延期）：还剩82天（截止2026-06-08）"
    with pytest.raises(ServiceError, match="只能延长一次"):
        town.svc.extend(town.cadre, record, days=5, approver="王书记", reason="再等等")
    assert "延期" not in [label for _, label in town.svc.actions(town.svc.petition(record))]
    town.svc.answer(town.cadre, record, opinion="经重新丈量，恢复原界", result="支持",
                    delivered_on="2026-04-02")
    # 30 days from delivery on 04-02 end on 05-02, inside 劳动节: the next working day 05-06
    assert labels(town, record)[-1] == "信访人可请求复查：还剩49天（截止2026-05-06）"
    assert town.svc.board() == []
    [row] = town.svc.register_list(PetitionFilter(text="承包地"))
    assert (row["status"], row["result"], row["extension_days"]) == ("answered", "支持", 30)
    assert town.svc.appealable()[0]["next_stage"] == "复查"


def test_a_village_registers_and_the_town_handles(village: Desk) -> None:
    intake = village.svc.register(village.cadre, letter())
    state = village.svc.petition(intake.record)
    assert (state.level, state.received_level, state.first_officer["name"]) == (
        "town", "village", "陈接访")
    assert intake.receipt_no.startswith(village.station.short_code or "?")
    assert village.svc.actions(state) == []
    with pytest.raises(ServiceError, match="村委会不是信访工作机构"):
        village.svc.accept(village.cadre, intake.record)
    assert labels(village, intake.record) == ["受理告知：还剩15天（截止2026-03-17）"]
    assert [r.record for r in village.svc.board()] == [intake.record]   # the village follows it


def test_group_visits_send_at_most_five_representatives(village: Desk) -> None:
    six = ["甲", "乙", "丙", "丁", "戊", "己"]
    crowd = letter(channel="来访", group_size=30, representatives=six)
    with pytest.raises(ServiceError, match="代表人数不得超过5人"):
        village.svc.register(village.cadre, crowd)
    intake = village.svc.register(village.cadre, letter(channel="来访", group_size=30,
                                                        representatives=six[:5]))
    assert village.svc.petition(intake.record).group == {"size": 30, "representatives": six[:5]}
    with pytest.raises(ServiceError, match="应推选代表"):
        village.svc.register(village.cadre, letter(channel="来访", group_size=12))


def test_the_county_may_take_or_hand_down_what_no_town_handled(county: Desk) -> None:
    visit = county.svc.preview(letter(channel="来访"))
    assert visit.proposal is None                      # Art 18: the 上一级 organ, not 越级
    assert "可以交办镇里办理" in visit.hint
    record = county.svc.register(county.cadre, letter(channel="来访")).record
    with pytest.raises(ServiceError, match="请从列表里选择交办的镇"):
        county.svc.assign(county.cadre, record, town="新集镇")   # no town synced here yet
    county.svc.accept(county.cadre, record)             # taken directly: no reason needed
    assert county.svc.petition(record).status == "accepted"


def test_the_same_matter_in_handling_is_proposed_refusal_confirm_or_override(town: Desk) -> None:
    first = town.svc.register(town.cadre, letter(channel="来访")).record
    town.svc.accept(town.cadre, first)
    again = town.svc.register(town.cadre, letter(channel="来访", summary="再次反映承包地被邻组占用"))
    assert not again.preview.first_time and again.preview.proposal.ground == "in_handling"
    with pytest.raises(ServiceError, match="请写明受理理由"):
        town.svc.accept(town.cadre, again.record)
    town.svc.confirm_proposal(town.cadre, again.record)
    state = town.svc.petition(again.record)
    assert state.status == "refused" and state.decision["confirmed"]
    assert state.decision["notice_no"].startswith("新集镇信访工作站信不受〔2026〕")
    third = town.svc.register(town.cadre, letter(channel="来访", summary="第三次反映承包地被邻组占用"))
    town.svc.accept(town.cadre, third.record, override_reason="信访人补充了新的事实")
    accepted = town.svc.petition(third.record)
    assert accepted.status == "accepted" and accepted.override == "信访人补充了新的事实"
    assert "未采纳“同一事项已经受理或正在办理”的提示" in accepted.steps[-1].what


def test_leaders_take_the_petition_and_the_petitioner_rates_the_answer(town: Desk) -> None:
    record = town.svc.register(town.cadre, letter()).record
    town.svc.accept(town.cadre, record)
    town.svc.assign_leader(town.cadre, record, {"name": "周副镇长", "post": "政法委员"},
                           note="领导包案")
    town.svc.record_reception(town.cadre, record, "周副镇长", "刘桂芳反映承包地界，答应到现场",
                              outcome="约定下周现场丈量", place="镇信访接待室")
    with pytest.raises(ServiceError, match="不能登记评价"):
        town.svc.rate(town.cadre, record, "满意")
    town.svc.answer(town.cadre, record, opinion="恢复原界", result="支持")
    with pytest.raises(ServiceError, match="必须填写原因"):
        town.svc.rate(town.cadre, record, "不满意")
    with pytest.raises(ServiceError, match="不是可选的评价"):
        town.svc.rate(town.cadre, record, "很好")
    town.svc.rate(town.cadre, record, "基本满意", how="电话")
    state = town.svc.petition(record)
    assert state.leader["name"] == "周副镇长" and state.receptions[0]["place"] == "镇信访接待室"
    assert (state.rating["level"], state.rating["dissatisfied"]) == ("基本满意", False)
    assert "登记评价" not in [label for _, label in town.svc.actions(state)]


def test_other_grounds_are_offered_and_termination_keeps_a_follow_up_person(town: Desk) -> None:
    codes = [g["code"] for g in town.svc.refusal_grounds()]
    assert "other_organ" in codes and "litigation" in codes
    record = town.svc.register(town.cadre, letter(summary="不服法院判决，要求改判")).record
    with pytest.raises(ServiceError, match="请从列表里选择"):
        town.svc.refuse(town.cadre, record, ground="nope", reason="x")
    town.svc.refuse(town.cadre, record, ground="other_organ", reason="属于法院职权")
    assert town.svc.petition(record).decision["where_to_go"] == \
        "请向有关人大及其常委会、人民法院或人民检察院提出"
    kept = town.svc.register(town.cadre, letter(summary="镇里修路占地补偿不到位")).record
    town.svc.accept(town.cadre, kept, override_reason="镇里自己的工程")
    town.svc.start_hearing(town.cadre, kept)
    with pytest.raises(ServiceError, match="听证还没有结束"):
        town.svc.answer(town.cadre, kept, opinion="x", result="不支持")
    town.svc.record_hearing(town.cadre, kept, start=TODAY, end=TODAY, panel="赵听证、钱听证",
                            participants=["刘桂芳"], conclusion="补偿已按标准足额发放")
    town.svc.answer(town.cadre, kept, opinion="补偿已足额发放", result="不支持")
    with pytest.raises(ServiceError, match="跟进责任人"):
        town.svc.terminate(town.cadre, kept, basis="其他依法终结情形", follow_up="", note="x")
    town.clock.day = date(2026, 4, 10)
    town.svc.terminate(town.cadre, kept, basis="逾期未请求复查", follow_up="马包村干部")
    town.svc.record_termination_hearing(
        town.cadre, kept, panel=["县调处中心主任", "律师代表"], participants=["刘桂芳", "镇长"],
        conclusion="诉求缺乏依据", consequence="依法处理", organiser="县矛盾纠纷调处中心")
    town.svc.follow_up(town.cadre, kept, "上门走访，情绪稳定")
    state = town.svc.petition(kept)
    assert state.status == "terminated" and state.follow_up_person == {"name": "马包村干部"}
    assert state.termination_hearings[0]["consequence"] == "依法处理"
    assert state.follow_ups[0]["by"]["name"] == "陈接访"


def fake_seal(station: Station, plaintext: bytes) -> str:
    """A reversible stand-in for app.sealing.seal_for_discipline (base64 of the reversed
    bytes), so this test can read what went into the envelope; the real sealer is used
    over real sync in test_dispute_flow."""
    return base64.b64encode(plaintext[::-1]).decode("ascii")


def test_an_accusation_is_written_only_sealed(village: Desk) -> None:
    with pytest.raises(ServiceError, match="检举控告请用"):
        village.svc.register(village.cadre, letter(category="检举控告"))
    with pytest.raises(ServiceError, match="镇纪委的密钥还没有同步到本机"):
        village.svc.file_accusation(village.cadre, content="村会计挪用修路款",
                                    accused=[{"name": "王某"}], channel="来访",
                                    seal=seal_for_discipline)
    assert village.station.store.conn.execute(
        "SELECT COUNT(*) FROM events WHERE kind='complaint'").fetchone() == (0,)
    filed = village.svc.file_accusation(
        village.cadre, content="村会计王某挪用修路款", accused=[{"name": "王某", "unit": "西李村委会"}],
        channel="来访", complainant={"name": "刘桂芳"}, seal=fake_seal)
    receipt = filed["receipt_no"]
    assert receipt.startswith(village.station.short_code + "-260302-0001-")
    assert filed["summary"] == {"category": "检举控告", "received_on": "2026-03-02",
                                "level": "village", "receipt_no": receipt}
    conn = village.station.store.conn
    [(kind, payload)] = conn.execute("SELECT kind, payload FROM events WHERE type="
                                     "'petition.accusation_sealed'").fetchall()
    assert kind == "complaint"
    assert set(json.loads(payload)) == {"sealed", "category", "received_on", "level",
                                        "receipt_no"}
    assert "王某" not in payload and "刘桂芳" not in payload
    plain = base64.b64decode(json.loads(payload)["sealed"])[::-1].decode("utf-8")
    assert "挪用修路款" in plain and "陈接访" in plain    # the content is all in the envelope
    [row] = village.svc.accusations()
    assert set(row) == {"record", "category", "received_on", "level", "receipt_no", "line"}
    assert row["line"].startswith(f"检举控告（密件）· 回执编号 {receipt} · 2026-03-02 · 村里收到 · 已密封")
    assert conn.execute("SELECT * FROM sealed_accusations").fetchall() == [
        (filed["record"], "检举控告", "2026-03-02", "village", receipt)]
    assert village.svc.register_list() == []             # never a petition record
    with pytest.raises(ServiceError, match="没有加密"):
        village.svc.file_accusation(village.cadre, content="x", accused=[{"name": "王某"}],
                                    channel="来信", seal=lambda st, text: text.decode("utf-8"))
