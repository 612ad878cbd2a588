"""Issue #10 on the screens, rendered offscreen for real.

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
from tests.ui.screens import find_button, press, run_screens, screen, window
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked
from tests.ui.test_disputes import _app, ids, sign_in, texts


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


def town_intake(app):
    sign_in("张敏")(app)
    app.go("dispute_intake")
    form = screen(app, "dispute_intake")
    form.ids.dispute_type.value = "邻里关系"
    form.ids.risk.value = "中"
    form.ids.village.value = form.ids.village.options[0] if form.ids.village.options else ""
    form.ids.village_other.text = "王湾村"
    first, second = form.rows()
    first.ids.name.text, first.ids.role.value = "孙德明", "申请人"
    second.ids.name.text, second.ids.role.value = "钱玉林", "被申请人"
    form.ids.summary.text = "两家因院墙滴水争吵，孙德明直接到镇里反映"
    form.check_links()
    shown = texts(form.ids.levels)
    assert "没有查到村调解室调处过这起纠纷" in shown and "写明理由" in shown, shown
    form.ids.scroll.scroll_to(form.ids.save, animate=False)
    press(form.ids.save)
    assert not form.done and "分级调处" in form.ids.error.text, form.ids.error.text


def town_saved(app):
    form = screen(app, "dispute_intake")
    form.override.text = "两家都是村干部亲属，村调解室回避"
    press(form.ids.save)
    assert form.done, form.ids.error.text
    press(form.ids.open_dispute)


def oral_form(app):
    dispute = screen(app, "dispute")
    press(find_button(dispute.ids.actions, "登记调解"))
    dispute._inputs["record_text"].text = "镇调处中心到现场查看，双方同意加装檐沟"
    press(dispute.ids.form_ok)
    assert dispute.state.status == "mediating", dispute.ids.form_error.text
    press(find_button(dispute.ids.actions, "口头协议"))
    dispute._inputs["content"].text = "钱玉林加装檐沟，雨水不再滴入孙家院内"
    dispute._inputs["how"].text = "钱玉林自行购买安装"
    dispute._inputs["due"].text = "2026-12-10"


def oral_saved(app):
    dispute = screen(app, "dispute")
    press(dispute.ids.form_ok)
    state = dispute.state
    assert state.status == "agreed" and state.agreement["form"] == "口头", dispute.ids.form_error.text
    assert "口头协议（人民调解法第二十八、三十条）" in dispute.ids.status.text
    assert "打印协议书" not in texts(dispute.ids.actions)


def petition_leader(app):
    app.go("petitions")
    [row] = screen(app, "petitions").ids.rows.data
    app.go("petition", record=row["record"])
    petition = screen(app, "petition")
    press(find_button(petition.ids.actions, "领导包案"))
    petition._form.inputs["leader"].text = "周副镇长"
    petition._form.inputs["post"].text = "政法委员"
    press(petition.ids.form_ok)
    assert petition.state.leader["name"] == "周副镇长", petition.ids.form_error.text
    assert "周副镇长（政法委员）" in texts(petition.ids.facts)
    press(find_button(petition.ids.actions, "答复"))
    petition._form.inputs["opinion"].text = "已协调修路项目部按标准发放补偿款"
    petition._form.inputs["result"].value = "支持"
    press(petition.ids.form_ok)
    assert petition.state.status == "answered", petition.ids.form_error.text


def petition_rated(app):
    petition = screen(app, "petition")
    press(find_button(petition.ids.actions, "登记评价"))
    petition._form.inputs["level"].value = "不满意"
    press(petition.ids.form_ok)
    assert "必须填写原因" in petition.ids.form_error.text, petition.ids.form_error.text
    petition._form.inputs["reason"].text = "补偿款还差三百元"
    press(petition.ids.form_ok)
    assert petition.state.rating["level"] == "不满意", petition.ids.form_error.text
    assert "信访人评价：[/color]不满意：补偿款还差三百元" in texts(petition.ids.facts)


def test_town_dispute_over_the_villages_head_oral_agreement_and_petition_leader(
        kivy_app, town: Path) -> None:
    with window(1280, 800):
        run_screens(kivy_app, _app(town), [
            ("dispute-proposal", town_intake, None),   # scrolled down to the proposal
            ("dispute-saved", town_saved, ids("dispute", "actions_title")),
            ("oral-form", oral_form, None),            # scrolled down to the form
            ("oral-saved", oral_saved, ids("dispute", "actions_title")),
            ("petition-leader", petition_leader, ids("petition", "actions_title")),
            ("petition-rated", petition_rated, ids("petition", "actions_title")),
        ], name="law-town", start_probe=ids("signin", "pick_title"))


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


def county_petition(app):
    sign_in("刘强")(app)
    app.go("petitions")
    [row] = screen(app, "petitions").ids.rows.data
    app.go("petition", record=row["record"])
    petition = screen(app, "petition")
    press(find_button(petition.ids.actions, "交办镇里"))
    assert petition._form.inputs["town"].options == ["新集镇"]
    petition._form.inputs["town"].value = "新集镇"
    petition._form.inputs["reason"].text = "属地管理，请镇里办理并书面报告结果"


def county_assigned(app):
    petition = screen(app, "petition")
    press(petition.ids.form_ok)
    assert petition.state.level == "town", petition.ids.form_error.text
    assert "交办新集镇" in texts(petition.ids.facts)
    # the town handles it now; county leaders may still take it on (包案) or receive (接访)
    labels = [button.text for button in petition.ids.actions.children]
    assert set(labels) == {"领导接访", "领导包案"}, labels


def test_county_hands_a_petition_down_to_the_town(kivy_app, county: Path) -> None:
    with window(1280, 800):
        run_screens(kivy_app, _app(county), [
            ("petition-assign", county_petition, ids("petition", "form_title")),
            ("petition-assigned", county_assigned, ids("petition", "actions_title")),
        ], name="law-county", start_probe=ids("signin", "pick_title"))
