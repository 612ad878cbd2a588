"""Conduct supervision on the tablets, by touch (issue #13 §1, §2; tests/ui/touch.py): a
village phone takes a 检举控告 (whom it is about, the content), after which it shows only
the receipt number, the date and 已密封; the town 纪委's tablet opens the report, takes it
in as a case and runs it — 处置, 立案, 调查结束 (查实), 处理 — and finds 结案 refused until
both 一案双查 reviews are recorded, then closes it."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.sealing import seal_for_discipline
from app.services.petitions import Petitions
from tests.ui.flows import fill_form, go_home, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import NOW, TODAY, cadre, carry, make_station, unlocked
from tests.ui.touch import touch_app


@pytest.fixture
def places(tmp_path: Path) -> tuple[Path, Path]:
    """王湾村's tablet with the town 纪委's key synced; the 纪委's tablet with a report
    taken at another village already synced to it."""
    village = make_station(tmp_path / "wangwan", cadres=(("王芳", "村委委员"),))
    jiwei = make_station(tmp_path / "jiwei", name="新集镇纪委", kind="town", short_code="XJ099",
                         cadres=(("孙纪", "纪委书记"),), roles=("discipline",))
    other = make_station(tmp_path / "lizhuang", name="李庄村", short_code="XJ002",
                         cadres=(("李强", "村委委员"),))
    d, v, o = unlocked(jiwei), unlocked(village), unlocked(other)
    try:
        carry(d, v)
        carry(d, o)
        Petitions(o, today=lambda: TODAY, now=lambda: NOW).file_accusation(
            cadre(o, "李强"), content="村主任孙有财把危房改造补助款打进自己小舅子的账户",
            accused=[{"name": "孙有财", "unit": "李庄村村委会", "post": "村主任"}], channel="来访",
            seal=seal_for_discipline, complainant={"name": "周凤英", "phone": "13812349876"})
        carry(o, d)
    finally:
        for station in (d, v, o):
            station.close()
    return village, jiwei


def test_a_village_phone_keeps_only_the_receipt(places) -> None:
    village, _ = places
    with touch_app(station_app(village), "phone", name="supervision-village") as ui:
        sign_in(ui, "王芳")
        ui.tap("信访")
        ui.tap("检举控告（加密）")
        form = screen(ui.app, "accusation")
        ui.tap("来访", within=form.ids.channel)
        ui.fill("检举控告的内容", "村会计在低保评议中优亲厚友，把自家亲戚报成低保户")
        ui.tap("村级组织及其成员滥用职权、侵害群众利益", within=form.ids.subject)
        [row] = form.ids.accused.children
        ui.fill("姓名", "钱某", within=row)
        ui.done_typing()
        ui.shot("accusation", title("accusation"))
        ui.tap("加密登记")
        assert form.done, form.ids.error.text
        shown = ui.texts()
        assert "已密封" in shown and "XJ001-261127-" in shown
        assert "钱某" not in shown and "低保" not in shown
        ui.shot("accusation-sealed", title("accusation", "done_title"))


def step(ui, case, label: str, **values: str) -> None:
    ui.tap(label, within=case.ids.actions)
    fill_form(ui, case._form, **values)
    ui.tap("加密保存", within=case.ids.form)
    assert not case.ids.form_error.text, case.ids.form_error.text


def test_the_jiwei_takes_in_the_report_and_runs_the_case(places) -> None:
    _, jiwei = places
    with touch_app(station_app(jiwei), "tablet", name="supervision-jiwei") as ui:
        sign_in(ui, "孙纪")
        ui.tap("纪委办案")
        board = screen(ui.app, "discipline")
        assert "待受理的检举控告 1 件" in board.ids.summary.text.replace("\xa0", " ")
        ui.shot("discipline", title("discipline"))
        ui.tap(board.ids.reports.children[0])
        case = screen(ui.app, "discipline_case")
        assert "孙有财" in ui.texts() and "周凤英" in ui.texts()
        ui.shot("report", title("discipline_case", "actions_title"))
        ui.tap("受理为案件线索", within=case.ids.actions)
        ui.tap("加密保存", within=case.ids.form)
        assert case.record and case.state.status == "registered", case.ids.form_error.text
        step(ui, case, "处置", disposal="初步核实")
        step(ui, case, "立案", basis="初核查明补助款转入其亲属账户")
        step(ui, case, "调查结束", substantiated="查实", facts="收受补助款三万六千元")
        step(ui, case, "处理", handling="党纪处分", persons="孙有财")
        labels = [b.text for b in case.ids.actions.children]
        assert "结案" not in labels and "一案双查" in labels
        ui.shot("case-decided", title("discipline_case", "actions_title"))
        step(ui, case, "一案双查", kind="主体责任", subject="李庄村党支部", finding="存在责任",
             facts="对村主任管理失之于宽", handling="诫勉")
        assert "结案" not in [b.text for b in case.ids.actions.children]
        step(ui, case, "一案双查", kind="监督责任", subject="李庄村村务监督委员会",
             finding="不存在责任", facts="已提出监督意见", reason="已履职")
        step(ui, case, "结案")
        assert case.state.status == "concluded"
        ui.shot("case-concluded", title("discipline_case", "actions_title"))
        go_home(ui)
