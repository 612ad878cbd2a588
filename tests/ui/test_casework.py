"""The work a village cadre does every day, by touch (issue #8 §3, on the harness of §1), on a
1280×800 tablet and a 720×1280 phone: 受理并办结 of a 村级证明 (a 常用语 tapped into the
result), 补齐材料 turning the one-time notice green, 修改信息 of a phone number kept with what
it replaced, 撤件 with its reason, 催办 of a case the town is holding, a visit turned into a
case from its prefilled form, and 使用说明 (top bar; status strip on a phone). Each state is swept (every
visible control takes a tap at its centre; every point goes to what is drawn there).

Screenshots: test-artifacts/casework-<tablet|phone>-<nn>-<step>.png."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.services.desk import Desk, IntakeForm
from app.services.frontdesk import VisitForm, log_visit, visit
from tests.ui.flows import current, go_home, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import NOW, TODAY, cadre, make_station, unlocked
from tests.ui.touch import plain, touch_app

ELDERLY = ["高龄津贴申请表", "居民身份证", "户口簿", "代办人居民身份证"]   # the bank card is missing


def _village(root: Path) -> Path:
    """王湾村 with a 高龄津贴 application short of the bank card, a 临时救助 application the
    family no longer needs, a pension matter sent up to the town, and a visit about 高龄津贴
    not yet turned into anything."""
    path = make_station(root / "wangwan")
    station = unlocked(path)
    try:
        me = cadre(station, "李建国")
        desk = Desk(station, today=lambda: TODAY)
        desk.intake(me, IntakeForm(name="王桂兰", phone="13938761520", matter_code="FL-001",
                                   summary="母亲今年满80周岁，申请高龄津贴",
                                   materials_present=ELDERLY))
        desk.intake(me, IntakeForm(name="陈玉兰", phone="13912345670", matter_code="JZ-003",
                                   summary="家中失火，申请临时救助",
                                   materials_present=["居民身份证"]))
        sent = Desk(station, today=lambda: date(2026, 11, 12)).intake(me, IntakeForm(
            name="王秀英", phone="13812345678", matter_code="SB-001",
            summary="申请城乡居民养老保险参保登记，户口簿在外地")).record
        desk.escalate(me, sent, "超出村里职权，请镇里协调")
        log_visit(station.store, me, VisitForm(
            name="王振国", matter="父亲今年满80周岁，想申请高龄津贴", sex="男", age="55",
            phone="13700002222", address="王湾村二组"), NOW)
    finally:
        station.close()
    return path


def open_case(ui, name: str):
    """台账查询 → the person's name → their case, the way a cadre finds one."""
    go_home(ui)
    ui.tap("台账查询")
    ui.fill("查姓名", name)
    ui.tap("查找")
    ui.tap(name, within=screen(ui.app, "ledger").ids.rows)
    assert current(ui) == "case"
    return screen(ui.app, "case")


def open_form(ui, case, action: str) -> None:
    ui.tap(action, within=case.ids.actions)
    assert case.action, f"{action}: no form opened"


def confirm(ui, case) -> None:
    ui.done_typing()
    ui.tap("确定", within=case.ids.form)
    assert not case.action, case.ids.form_error.text


def finish_on_the_spot(ui, size: str) -> None:
    ui.tap("受理办事")
    intake = screen(ui.app, "intake")
    ui.fill("姓名", "张国强")
    ui.fill("联系电话", "13700001111")
    ui.done_typing()
    ui.tap("村级证明", within=intake.ids.category)
    ui.tap("村级证明（村委会出具的证明）", within=intake.ids.matters)
    assert "受理并办结" not in ui.texts(intake)          # not offered while materials are missing
    for row in list(reversed(intake.ids.materials.children)):
        ui.tap(row)
    ui.fill("群众要办的事", "孩子上学要开居住情况证明")
    ui.done_typing()
    box = intake.ids.on_the_spot
    ui.tap("当场出具证明并登记台账", within=box)          # a 常用语 into the result
    assert intake.result_field.text == "当场出具证明并登记台账"
    ui.shot("on-the-spot", title("intake"))
    ui.tap("受理并办结", within=box)
    assert intake.done, intake.ids.error.text
    assert plain(intake.ids.done_title.text).startswith("受理并办结")
    state = ui.app.desk.case(intake.result.record)
    assert state.status == "closed", state.status       # 已办结, in one step
    ui.shot("finished", title("intake", "done_title"))


def supply_materials(ui) -> None:
    case = open_case(ui, "王桂兰")
    assert "还缺 1 份材料" in ui.texts(case.ids.facts)
    open_form(ui, case, "补齐材料")
    ui.tap("社会保障卡（金融账户）", within=case.ids.form_fields)
    ui.shot("supply-form")
    confirm(ui, case)
    assert not case.state.missing_materials
    assert "材料已齐全" in ui.texts(case.ids.facts)
    ui.shot("supplied", title("case", "actions_title"))


def correct_phone(ui) -> None:
    case = screen(ui.app, "case")
    open_form(ui, case, "修改信息")
    ui.fill("联系电话", "13938761521")
    ui.tap("登记时电话写错", within=case.ids.form_fields)
    ui.shot("correct-form")
    confirm(ui, case)
    assert case.state.fields["applicant.phone"] == "13938761521"
    timeline = ui.texts(case.ids.timeline)
    assert "联系电话由“13938761520”改为“13938761521”" in timeline, timeline
    assert "登记时电话写错" in timeline
    ui.shot("corrected", title("case", "actions_title"))


def withdraw(ui) -> None:
    case = open_case(ui, "陈玉兰")
    open_form(ui, case, "撤件")
    ui.tap("确定", within=case.ids.form)                 # no reason yet: said, nothing written
    assert "撤件原因" in case.ids.form_error.text and case.state.status == "accepted"
    ui.tap("申请人撤回", within=case.ids.form_fields)
    ui.tap("群众表示不再需要办理", within=case.ids.form_fields)
    confirm(ui, case)
    assert case.state.status == "withdrawn"
    assert "撤件" in plain(ui.app.message)
    ui.shot("withdrawn", title("case", "actions_title"))


def urge_the_town(ui) -> None:
    case = open_case(ui, "王秀英")
    assert case.state.status == "escalated"
    open_form(ui, case, "催办")
    ui.tap("群众来问进度，请尽快办理", within=case.ids.form_fields)
    ui.shot("urge-form")
    confirm(ui, case)
    assert len(case.state.urges) == 1
    assert "已催办 1 次" in ui.texts(case.ids.facts) and "群众来问进度" in ui.texts(case.ids.facts)
    ui.shot("urged", title("case", "actions_title"))


def visit_becomes_case(ui) -> None:
    go_home(ui)
    ui.tap("来访登记")
    ui.tap("王振国 · 父亲今年满80周岁")
    assert current(ui) == "visit"
    detail = screen(ui.app, "visit")
    ui.shot("visit-detail", title("visit"))
    ui.tap("转为办事受理", within=detail.ids.actions)
    intake = screen(ui.app, "intake")
    assert current(ui) == "intake"
    assert intake.ids.name.text == "王振国" and intake.ids.phone.text == "13700002222"
    assert "高龄津贴" in intake.ids.summary.text
    ui.tap("社会福利", within=intake.ids.category)
    ui.tap("高龄津贴申领", within=intake.ids.matters)
    ui.shot("visit-intake", title("intake"))
    ui.tap("保存受理")
    assert intake.done, intake.ids.error.text
    [became] = visit(ui.app.conn, detail.record)["converted"]
    assert (became["kind"], became["record"]) == ("svc_case", intake.result.record)
    go_home(ui)
    ui.tap("来访登记")
    ui.tap("王振国 · 父亲今年满80周岁")
    shown = ui.texts(detail)
    assert "已转为便民服务事项" in shown and "转为办事受理" not in shown     # each kind once
    ui.shot("visit-converted", title("visit"))


def help_from_the_top_bar(ui, size: str) -> None:
    shell = ui.app.shell.ids        # in the top bar on a tablet, the status strip on a phone
    if size == "tablet":
        ui.tap("使用说明", within=shell.topbar)
    else:
        ui.tap("说明", within=shell.sync_strip)
    assert current(ui) == "help"
    help_screen = screen(ui.app, "help")
    assert "来访" in plain(help_screen.ids.title.text), help_screen.ids.title.text
    ui.shot("help", title("help"))
    ui.tap("← 返回", within=help_screen)
    assert current(ui) == "visit"


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_village_casework_by_touch(tmp_path: Path, size: str) -> None:
    with touch_app(station_app(_village(tmp_path)), size, name=f"casework-{size}") as ui:
        sign_in(ui, "李建国")
        finish_on_the_spot(ui, size)
        supply_materials(ui)
        correct_phone(ui)
        withdraw(ui)
        urge_the_town(ui)
        visit_becomes_case(ui)
        help_from_the_top_bar(ui, size)
