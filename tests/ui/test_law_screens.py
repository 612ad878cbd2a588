"""Issue #10 on the screens, by touch (tests/ui/touch.py).

At the town 矛盾调处化解中心 a neighbour's quarrel brought straight to the town shows the
分级调处 proposal (go to the village 调解室 first) with a reason field; saving without a
reason says what to do, with one it is kept; the mediation ends in an oral agreement
(人民调解法 Art 28).  At the town 信访工作站 a leader takes a petition (包案) and, once
answered, the petitioner's rating is recorded.  At the county a petition no town handled
is handed down to 新集镇 (交办), the town's stations being known from their announcements."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.services.petitions import PetitionerForm, PetitionForm, Petitions
from tests.ui.flows import fill_form, go_home, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked
from tests.ui.touch import touch_app


@pytest.fixture
def town(tmp_path: Path) -> Path:
    path = make_station(tmp_path / "town", name="新集镇矛盾调处化解中心", kind="town",
                        short_code="XJ010", cadres=(("张敏", "中心主任"),))
    station = unlocked(path)
    try:
        svc = Petitions(station, today=lambda: TODAY)
        intake = svc.register(cadre(station, "张敏"), PetitionForm(
            "来访", "申诉求决", [PetitionerForm("周桂兰", phone="13612345678", village="王湾村")],
            "村里修路占用承包地两分，补偿款一直没有发放", village="王湾村",
            received_at="2026-11-20 09:00"))
        svc.accept(cadre(station, "张敏"), intake.record, on="2026-11-20", notice_on="2026-11-20")
    finally:
        station.close()
    return path


def town_dispute(ui) -> None:
    sign_in(ui, "张敏")
    ui.tap("矛盾纠纷")
    ui.tap("＋ 登记纠纷")
    form = screen(ui.app, "dispute_intake")
    ui.tap("邻里关系", within=form.ids.dispute_type)
    ui.tap("中", within=form.ids.risk)
    ui.fill("名单里没有的村", "王湾村")
    first, second = form.rows()
    ui.fill("姓名", "孙德明", within=first)
    ui.fill("姓名", "钱玉林", within=second)
    ui.fill("简要情况", "两家因院墙滴水争吵，孙德明直接到镇里反映")
    ui.done_typing()
    assert (first.ids.role.value, second.ids.role.value) == ("申请人", "被申请人")
    shown = ui.texts(form.ids.levels)
    assert "没有查到村调解室调处过这起纠纷" in shown and "写明理由" in shown, shown
    ui.tap("保存登记")
    assert not form.done and "分级调处" in form.ids.error.text, form.ids.error.text
    ui.shot("dispute-proposal")
    ui.fill(form.override, "两家都是村干部亲属，村调解室回避")
    ui.tap("保存登记")
    assert form.done, form.ids.error.text
    ui.tap("查看这起纠纷")
    ui.shot("dispute-saved", title("dispute", "actions_title"))

    dispute = screen(ui.app, "dispute")
    ui.tap("登记调解", within=dispute.ids.actions)
    ui.fill("调解笔录", "镇调处中心到现场查看，双方同意加装檐沟")
    ui.tap(dispute.ids.form_ok)
    assert dispute.state.status == "mediating", dispute.ids.form_error.text
    ui.tap("口头协议", within=dispute.ids.actions)
    ui.fill(dispute._inputs["content"], "钱玉林加装檐沟，雨水不再滴入孙家院内")
    ui.fill(dispute._inputs["how"], "钱玉林自行购买安装")
    ui.fill(dispute._inputs["due"], "2026-12-10")
    ui.done_typing()
    ui.shot("oral-form")
    ui.tap(dispute.ids.form_ok)
    state = dispute.state
    assert state.status == "agreed" and state.agreement["form"] == "口头", \
        dispute.ids.form_error.text
    assert "口头协议（人民调解法第二十八、三十条）" in dispute.ids.status.text
    assert "打印协议书" not in ui.texts(dispute.ids.actions)
    ui.shot("oral-saved", title("dispute", "actions_title"))


def town_petition(ui) -> None:
    go_home(ui)
    ui.tap("信访")
    ui.tap("周桂兰")
    petition = screen(ui.app, "petition")
    ui.tap("领导包案", within=petition.ids.actions)
    fill_form(ui, petition._form, leader="周副镇长", post="政法委员")
    ui.tap(petition.ids.form_ok)
    assert petition.state.leader["name"] == "周副镇长", petition.ids.form_error.text
    assert "周副镇长（政法委员）" in ui.texts(petition.ids.facts)
    ui.tap("答复", within=petition.ids.actions)
    fill_form(ui, petition._form, opinion="已协调修路项目部按标准发放补偿款", result="支持")
    ui.tap(petition.ids.form_ok)
    assert petition.state.status == "answered", petition.ids.form_error.text
    ui.shot("petition-leader", title("petition", "actions_title"))
    ui.tap("登记评价", within=petition.ids.actions)
    fill_form(ui, petition._form, level="不满意")
    ui.tap(petition.ids.form_ok)
    assert "必须填写原因" in petition.ids.form_error.text, petition.ids.form_error.text
    fill_form(ui, petition._form, reason="补偿款还差三百元")
    ui.tap(petition.ids.form_ok)
    assert petition.state.rating["level"] == "不满意", petition.ids.form_error.text
    assert "信访人评价：不满意：补偿款还差三百元" in ui.texts(petition.ids.facts)
    ui.shot("petition-rated", title("petition", "actions_title"))


def test_town_dispute_over_the_villages_head_oral_agreement_and_petition_leader(
        town: Path) -> None:
    with touch_app(station_app(town), "tablet", name="law-town") as ui:
        town_dispute(ui)
        town_petition(ui)


# the county -------------------------------------------------------------------------------
@pytest.fixture
def county(tmp_path: Path) -> Path:
    path = make_station(tmp_path / "county", name="县信访局", kind="county", short_code="XX001",
                        cadres=(("刘强", "接待科科长"),))
    town_path = make_station(tmp_path / "town", name="新集镇便民服务中心", kind="town",
                             short_code="XJ000", cadres=(("张敏", "中心主任"),))
    source, target = unlocked(town_path), unlocked(path)
    try:
        carry(source, target)          # the town station's announcement: 新集镇 is known
        Petitions(target, today=lambda: TODAY).register(cadre(target, "刘强"), PetitionForm(
            "来访", "申诉求决", [PetitionerForm("冯桂英", phone="13700000009", village="李庄村")],
            "反映村里修路占用自家责任田未补偿", village="李庄村", received_at="2026-11-26 10:00"))
    finally:
        source.close()
        target.close()
    return path


def test_county_hands_a_petition_down_to_the_town(county: Path) -> None:
    with touch_app(station_app(county), "phone", name="law-county") as ui:
        sign_in(ui, "刘强")
        ui.tap("信访")
        ui.tap("冯桂英")
        petition = screen(ui.app, "petition")
        ui.tap("交办镇里", within=petition.ids.actions)
        towns = petition._form.inputs["town"]
        assert towns.options == ["新集镇"]
        fill_form(ui, petition._form, town="新集镇", reason="属地管理，请镇里办理并书面报告结果")
        ui.shot("petition-assign", title("petition", "form_title"))
        ui.tap(petition.ids.form_ok)
        assert petition.state.level == "town", petition.ids.form_error.text
        assert "交办新集镇" in ui.texts(petition.ids.facts)
        # the town handles it now; county leaders may still take it on (包案) or receive (接访)
        labels = [button.text for button in petition.ids.actions.children]
        assert set(labels) == {"领导接访", "领导包案"}, labels
        ui.shot("petition-assigned", title("petition", "actions_title"))
