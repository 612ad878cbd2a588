"""修改信息, 撤件, 补齐材料, 受理并办结, 催办 and the visit turned into a case, on real
station databases (issue #8 §3); each refusal writes nothing."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.desk import Desk, IntakeForm
from app.services.errors import ServiceError
from app.services.frontdesk import VisitForm, log_visit, recent_visits, visit
from app.station import Station
from tests.ui.stations import NOW, TODAY, cadre, carry, make_station, unlocked


@pytest.fixture
def village(tmp_path: Path) -> Iterator[Station]:
    station = unlocked(make_station(tmp_path / "wangwan"))
    yield station
    station.close()


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Station]:
    station = unlocked(make_station(tmp_path / "town", "新集镇便民服务中心", "town",
                                        "XJ900", (("张敏", "便民服务中心主任"),)))
    yield station
    station.close()


def desk(station: Station) -> Desk:
    return Desk(station, today=lambda: TODAY)


def events(station: Station) -> int:
    return station.store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def form(**changes) -> IntakeForm:
    values = dict(name="王秀英", phone="13812345678", matter_code="JZ-003",
                  summary="家中房屋因暴雨受损，申请临时救助", materials_present=["居民身份证"])
    values.update(changes)
    return IntakeForm(**values)


def test_a_correction_is_kept_with_what_it_replaced(village: Station) -> None:
    me, taken = cadre(village, "李建国"), None
    taken = desk(village).intake(me, form())
    desk(village).correct(me, taken.record, {"applicant.phone": "139 8765 4321",
                                             "applicant.name": "王秀英"}, "登记时电话写错")
    state = desk(village).case(taken.record)
    assert state.fields["applicant.phone"] == "13987654321"
    assert state.steps[-1].what == ("修改信息：联系电话由“13812345678”改为“13987654321”"
                                    "（原因：登记时电话写错）")
    row = village.store.conn.execute("SELECT phone FROM cases WHERE record=?",
                                     (taken.record,)).fetchone()
    assert row == ("13987654321",)
    assert desk(village).correct(me, taken.record, {"applicant.phone": "13987654321"},
                                 "再点一次") is None         # nothing changed: nothing written


@pytest.mark.parametrize("changes, reason, message", [
    ({"applicant.phone": "123"}, "电话写错", "手机号"),
    ({"applicant.name": " "}, "姓名写错", "申请人姓名不能空着。"),
    ({"applicant.phone": "13987654321"}, " ", "请写明修改原因"),
    ({"status": "closed"}, "想办结", "不能在这里修改"),
])
def test_a_bad_correction_says_what_to_do_and_writes_nothing(village, changes, reason, message):
    me = cadre(village, "李建国")
    taken = desk(village).intake(me, form())
    before = events(village)
    with pytest.raises(ServiceError) as caught:
        desk(village).correct(me, taken.record, changes, reason)
    assert message in caught.value.message
    assert events(village) == before


def test_withdrawing_needs_a_reason_and_leaves_the_overdue_board(village: Station) -> None:
    from app.services.ledger import deadline_board
    me = cadre(village, "李建国")
    late = Desk(village, today=lambda: TODAY.replace(month=10))
    taken = late.intake(me, form())
    assert [i.row["record"] for i in deadline_board(village.store.conn, late.rules, TODAY)] \
        == [taken.record]
    with pytest.raises(ServiceError) as caught:
        desk(village).withdraw(me, taken.record, "申请人撤回", "")
    assert caught.value.message.startswith("撤件必须写明理由")
    desk(village).withdraw(me, taken.record, "申请人撤回", "群众说已在县里办好，不需要再办")
    assert desk(village).case(taken.record).status == "withdrawn"
    assert deadline_board(village.store.conn, late.rules, TODAY) == []
    row = village.store.conn.execute("SELECT status_name, active FROM cases").fetchone()
    assert row == ("已撤件", 0)


def test_supplying_the_missing_materials_turns_the_notice_green(village: Station) -> None:
    me = cadre(village, "李建国")
    taken = desk(village).intake(me, form())
    missing = desk(village).case(taken.record).missing_materials
    assert missing == ["临时救助申请书", "户口簿", "遭遇困难的相关证明"]
    desk(village).supply_materials(me, taken.record, ["户口簿"])
    with pytest.raises(ServiceError) as caught:
        desk(village).supply_materials(me, taken.record, ["结婚证"])
    assert "不在一次性告知单的缺少材料里" in caught.value.message
    desk(village).supply_materials(me, taken.record, ["临时救助申请书", "遭遇困难的相关证明"])
    state = desk(village).case(taken.record)
    assert state.missing_materials == [] and state.materials_complete_on == TODAY
    assert state.steps[-1].what.endswith("（材料已齐全）")


def test_a_matter_done_on_the_spot_is_accepted_and_finished_in_one_step(village) -> None:
    me = cadre(village, "李建国")
    assert desk(village).finishes_on_the_spot("SB-005")
    assert not desk(village).finishes_on_the_spot("JZ-003")
    done = desk(village).intake_and_finish(
        me, form(matter_code="SB-005", summary="打印养老保险缴费证明",
                 materials_present=["居民身份证"]), "当场打印缴费证明并盖章交给群众")
    state = desk(village).case(done.record)
    assert (state.status, state.mode, state.result) == ("closed", "即办",
                                                        "当场打印缴费证明并盖章交给群众")
    assert [s.event_type for s in state.steps] == ["svc.accepted", "svc.done_at_once"]


@pytest.mark.parametrize("changes, result, message", [
    ({"matter_code": "JZ-003"}, "已办", "不能当场办结"),
    ({"matter_code": "SB-005", "materials_present": []}, "已办", "还缺材料（居民身份证）"),
    ({"matter_code": "SB-005"}, " ", "请填写办理结果"),
])
def test_accept_and_finish_refuses_what_cannot_be_finished_now(village, changes, result, message):
    before = events(village)
    with pytest.raises(ServiceError) as caught:
        desk(village).intake_and_finish(cadre(village, "李建国"), form(**changes), result)
    assert message in caught.value.message
    assert events(village) == before


def test_a_visit_becomes_a_case_once_without_retyping(village: Station) -> None:
    from app.services.visit_conversions import case_form
    me = cadre(village, "李建国")
    record = log_visit(village.store, me, VisitForm(
        name="王秀英", matter="家中房屋因暴雨受损，想申请临时救助", sex="女",
        phone="13812345678", address="王湾村三组"), NOW)
    prefilled = case_form(visit(village.store.conn, record))
    assert (prefilled.name, prefilled.sex, prefilled.phone, prefilled.summary) == (
        "王秀英", "女", "13812345678", "家中房屋因暴雨受损，想申请临时救助")
    prefilled.matter_code = "JZ-003"
    taken = desk(village).intake(me, prefilled, from_visit=record)
    (row,) = recent_visits(village.store.conn, origin=village.node_id)
    assert row["converted"] == [{"kind": "svc_case", "record": taken.record,
                                 "label": f"回执 {taken.receipt_no}", "on": TODAY.isoformat()}]
    before = events(village)
    with pytest.raises(ServiceError) as caught:
        desk(village).intake(me, prefilled, from_visit=record)
    assert "已经转为便民服务事项" in caught.value.message
    assert events(village) == before       # the second case was not written either


def test_the_town_starts_its_letter_from_the_villages_words_and_urges(village, town):
    me, zhang = cadre(village, "李建国"), cadre(town, "张敏")
    taken = desk(village).intake(me, form())
    desk(village).escalate(me, taken.record, "房屋倒塌需镇里组织鉴定并救助")
    carry(village, town)
    draft = desk(town).forward_draft(taken.record)
    assert draft == "王秀英反映：家中房屋因暴雨受损，申请临时救助。王湾村意见：房屋倒塌需镇里组织鉴定并救助。"
    with pytest.raises(ServiceError) as caught:
        desk(town).urge(zhang, taken.record, "请尽快")
    assert "只有把事项送上去的一级才能催办" in caught.value.message
    desk(village).urge(me, taken.record, "群众来问进度", "电话")
    carry(village, town)
    desk(town).forward(zhang, taken.record, "county_civil", draft)
    desk(town).urge(zhang, taken.record, "请按转办函期限回复", "书面")
    state = desk(town).case(taken.record)
    assert state.letter["summary"] == draft
    assert [u["note"] for u in state.urges] == ["请按转办函期限回复"]
    assert state.steps[-1].what == "催办县民政局：请按转办函期限回复"


def test_a_visit_becomes_a_dispute_or_a_petition_with_its_words(village: Station) -> None:
    from app.services.disputes import Disputes, PartyForm
    from app.services.petitions import Petitions
    from app.services.visit_conversions import dispute_form, petition_form
    me = cadre(village, "李建国")
    record = log_visit(village.store, me, VisitForm(
        name="王振国", matter="与邻居因排水沟堵塞发生争吵，要求调解", phone="13812345678"), NOW)
    row = visit(village.store.conn, record)
    drafted = dispute_form(row)
    assert [p.name for p in drafted.parties] == ["王振国", ""]
    drafted.parties[1] = PartyForm(name="王建设", role="被申请人")
    drafted.dispute_type, drafted.risk = "邻里关系", "低"
    disputes = Disputes(village, today=lambda: TODAY, now=lambda: NOW)
    taken = disputes.register(me, drafted, from_visit=record)
    assert disputes.dispute(taken.record).summary == "与邻居因排水沟堵塞发生争吵，要求调解"
    petition = petition_form(row)
    petition.category = "申诉求决"
    petitions = Petitions(village, today=lambda: TODAY, now=lambda: NOW)
    filed = petitions.register(me, petition, from_visit=record)
    kinds = [c["kind"] for c in visit(village.store.conn, record)["converted"]]
    assert kinds == ["dispute", "petition"]
    assert visit(village.store.conn, record)["converted"][1]["record"] == filed.record


def test_a_visit_correction_is_kept_and_only_its_own_station_may_convert_it(village, town):
    from app.services.frontdesk import amend_visit, visit_link
    me = cadre(village, "李建国")
    record = log_visit(village.store, me, VisitForm(name="王秀英", matter="咨询医保"), NOW)
    assert amend_visit(village.store, me, record, {"phone": "13812345678", "name": "王秀英"},
                       "补记电话", NOW) is not None
    assert visit(village.store.conn, record)["phone"] == "13812345678"
    with pytest.raises(ServiceError):
        amend_visit(village.store, me, record, {"phone": "12"}, "电话", NOW)
    carry(village, town)
    with pytest.raises(ServiceError) as caught:
        visit_link(town.store, cadre(town, "张敏"), record, "svc_case", "x", "回执", TODAY)
    assert caught.value.message == "这条来访是别的站点登记的，请由登记的站点转办。"
