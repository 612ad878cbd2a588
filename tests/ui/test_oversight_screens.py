"""村务监督 by touch (issue #13 §3; tests/ui/touch.py), at tablet and phone size.

王湾村's tablet (certified by the town for its 监委会): a village cadre registers the
committee — first with a member who is a 村委会 member's spouse, which is refused on screen
with the reason and its source and saves nothing — then as it should be; records the
民主评议 and opens 王德明's account. 王德明 signs in: no tile of the village's business, only
村务监督, which shows his signing key's fingerprint to take to the town; the town center's
cadre types it (a wrong one certifies nothing). Back on the tablet he reads the 财务收支
published and records an inspection with a photo and an opinion to the town, signed with
the key his sign-in unlocked. The town center's phone answers it; back on the village phone the
member reads the answer."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.services.decisions import VillageDecisions
from tests.ui.flows import fill_form, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked
from tests.ui.touch import touch_app

MEMBER_PIN = "369147"


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    village = make_station(tmp_path / "wangwan", roles=("village_supervision",),
                           cadres=(("李建国", "村委委员"),))
    town = make_station(tmp_path / "center", name="新集镇便民服务中心", kind="town",
                        short_code="XJ900", cadres=(("赵镇长", "副镇长"),))
    station = unlocked(village)
    try:
        VillageDecisions(station, today=lambda: TODAY).publish(
            cadre(station, "李建国"), category="财务收支", title="2026年10月村集体财务收支明细")
    finally:
        station.close()
    pictures = tmp_path / "home" / "Pictures"
    pictures.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    photo = pictures / "公开栏.png"
    page = Image.new("RGB", (120, 90), (236, 240, 246))
    ImageDraw.Draw(page).rectangle((10, 10, 110, 80), outline=(160, 30, 30), width=3)
    page.save(photo)
    return village, town, photo


def _relay(source: Path, target: Path) -> None:
    a, b = unlocked(source), unlocked(target)
    try:
        carry(a, b)
    finally:
        a.close()
        b.close()


def register_committee(ui) -> None:
    ui.tap("村务监督")
    page = screen(ui.app, "oversight")
    ui.tap("登记监委会名单", within=page.ids.actions)
    fill_form(ui, page._form, members="王德明 财会\n李秀珍 管理\n张国强", committee="王振华、赵四",
              relations="李秀珍 是 王振华 的 配偶")
    ui.tap("保存", within=page.ids.form_slot)
    error = page.ids.form_error.text
    assert "李秀珍是村民委员会成员王振华的配偶" in error and "第三十二条" in error, error
    assert page.service.roster() == ()
    ui.shot("committee-refused", lambda app: screen(app, "oversight").ids.form_cancel)
    ui.fill(page._form.inputs["relations"], "")
    ui.done_typing()
    ui.tap("保存", within=page.ids.form_slot)
    assert not page.action, page.ids.form_error.text
    shown = ui.texts(page.ids.body)
    assert "王德明（财会知识）" in shown and "资格审查" in shown and "民主评议" in shown
    ui.shot("committee", title("oversight"))


def review_and_account(ui) -> None:
    page = screen(ui.app, "oversight")
    ui.tap("登记民主评议", within=page.ids.actions)
    for row in page._rows.values():
        ui.tap("称职", within=row)
    ui.tap("保存", within=page.ids.form_slot)
    assert not page.action, page.ids.form_error.text
    assert "王德明 称职" in ui.texts(page.ids.body)
    ui.tap("为成员开通账号", within=page.ids.actions)
    fill_form(ui, page._form, member="王德明", pin=MEMBER_PIN)
    ui.tap("保存", within=page.ids.form_slot)
    assert not page.action, page.ids.form_error.text
    ui.tap("换人")


def member_fingerprint(ui) -> str:
    """The member's first visit: the page shows the fingerprint to take to the town."""
    sign_in(ui, "王德明", MEMBER_PIN)
    home = ui.texts()
    assert "村务监督" in home and "受理办事" not in home and "村务决策" not in home
    assert "添加干部" not in home and "排班" not in home
    ui.shot("member-home")
    ui.tap("村务监督")
    page = screen(ui.app, "oversight")
    shown = ui.texts(page.ids.body)
    assert "还没有经镇里认证" in shown
    [fingerprint] = re.findall(r"\d{4} \d{4} \d{4} \d{4}", shown)
    ui.shot("member-fingerprint", title("oversight"))
    return fingerprint


def town_certifies(ui, fingerprint: str) -> None:
    sign_in(ui, "赵镇长")
    ui.tap("村务监督")
    page = screen(ui.app, "oversight")
    assert "待核对的监委会成员签名钥匙：1 个" in ui.texts(page.ids.body)
    assert fingerprint not in ui.texts(page.ids.body)        # typed, never copied
    ui.tap("核对签名钥匙", within=page.ids.actions)
    wrong = ("1" if fingerprint[0] != "1" else "2") + fingerprint[1:]
    fill_form(ui, page._form, offer="王湾村 王德明", fingerprint=wrong)
    ui.tap("保存", within=page.ids.form_slot)
    assert "指纹对不上" in page.ids.form_error.text
    ui.shot("key-mismatch", lambda app: screen(app, "oversight").ids.form_title)
    fill_form(ui, page._form, fingerprint=fingerprint)
    ui.tap("保存", within=page.ids.form_slot)
    assert not page.action, page.ids.form_error.text
    assert "待核对的监委会成员签名钥匙：0 个" in ui.texts(page.ids.body)


def member_records(ui, photo: Path) -> None:
    sign_in(ui, "王德明", MEMBER_PIN)
    ui.tap("村务监督")
    page = screen(ui.app, "oversight")
    shown = ui.texts(page.ids.body)
    assert "还没有经镇里认证" not in shown
    assert "您以村务监督委员会成员王德明的身份登录" in shown
    assert "2026年10月村集体财务收支明细" in shown
    ui.tap("记录巡查", within=page.ids.actions)
    fill_form(ui, page._form, subject="村务公开", place="村委会公开栏",
              findings="10月财务收支明细只贴了总数，没有逐笔列出")
    ui.tap("选照片或扫描件", within=page.ids.form_slot)
    ui.tap(photo.name)
    ui.tap("用这张")
    ui.scroll_into_view(page.ids.form_ok)
    ui.shot("inspection-form", lambda app: screen(app, "oversight").ids.form_title)
    ui.tap("保存", within=page.ids.form_slot)
    assert not page.action, page.ids.form_error.text
    assert "照片 1 张" in ui.texts(page.ids.body)
    ui.tap("向镇里提意见", within=page.ids.actions)
    ui.tap("保存", within=page.ids.form_slot)
    assert "请填写" in page.ids.form_error.text          # says what is missing, saves nothing
    fill_form(ui, page._form, subject="村级财务", text="请镇里督促村委会逐笔公开修路款支出")
    ui.tap("保存", within=page.ids.form_slot)
    assert not page.action, page.ids.form_error.text
    assert "待镇里答复" in ui.texts(page.ids.body)
    ui.shot("member-page", title("oversight"))


def test_village_committee_member_and_town_answer(places) -> None:
    village, town, photo = places
    with touch_app(station_app(village), "tablet", name="oversight-village") as ui:
        sign_in(ui, "李建国")
        register_committee(ui)
        review_and_account(ui)
        fingerprint = member_fingerprint(ui)
    _relay(village, town)
    with touch_app(station_app(town), "tablet", name="oversight-key") as ui:
        town_certifies(ui, fingerprint)
    _relay(town, village)
    with touch_app(station_app(village), "tablet", name="oversight-member") as ui:
        member_records(ui, photo)
    _relay(village, town)
    with touch_app(station_app(town), "phone", name="oversight-town") as ui:
        sign_in(ui, "赵镇长")
        ui.tap("村务监督")
        board = screen(ui.app, "oversight")
        assert "各村的意见：1 条" in ui.texts(board.ids.body)
        ui.shot("town-board", title("oversight"))
        ui.tap("王湾村 · 村级财务 · 待镇里答复")
        opinion = screen(ui.app, "oversight_opinion")
        ui.tap("答复这条意见", within=opinion.ids.actions)
        fill_form(ui, opinion._form, answer="已责成村委会三日内逐笔公开，镇经管站派人核对")
        ui.tap("保存", within=opinion.ids.form_slot)
        assert not opinion.action, opinion.ids.form_error.text
        assert "镇里的答复" in ui.texts(opinion.ids.body)
        ui.shot("town-answered", lambda app: screen(app, "oversight_opinion").answer_heading)
    _relay(town, village)
    with touch_app(station_app(village), "phone", name="oversight-back") as ui:
        sign_in(ui, "王德明", MEMBER_PIN)
        ui.tap("村务监督")
        ui.tap("村级财务 · 已答复")
        assert "已责成村委会三日内逐笔公开" in ui.texts(screen(ui.app, "oversight_opinion").ids.body)
        ui.shot("answer-at-village", lambda app: screen(app, "oversight_opinion").answer_heading)
