"""信访 in the station app, rendered offscreen for real (issue #4 §2, §4; issue #10): at
the town a visit about a matter whose letter is still undecided gets the proposed 不予受理
(同一事项正在办理) at intake, is saved and refused as proposed with its notice printed; the
board shows days left with the overdue one red; 检举控告 on a tablet with no 纪委 key says so and files nothing. On a village
phone held upright, with the 纪委 key synced: a dispute intake, the dispute board, and a
检举控告 filed sealed, after which only a line without content or names is shown."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.services.petitions import PetitionerForm, PetitionForm, Petitions
from tests.ui.screens import (
    find_button, keep_without_printing, press, run_screens, screen, window)
from tests.ui.stations import NOW, PIN, TODAY, cadre, carry, make_station, unlocked
from tests.ui.test_disputes import texts


def _app(data: Path):
    from app.ui.main import SanjiApp
    return SanjiApp(data, today=lambda: TODAY, now=lambda: NOW, sync_minutes=0)


def ids(name: str, key: str):
    return lambda app: screen(app, name).ids[key]


def sign_in(name: str):
    def step(app):
        signin = screen(app, "signin")
        press(find_button(signin.ids.cadres, name))
        for digit in PIN:
            signin.key(digit)
        press(signin.ids.login)
        assert app.user is not None and app.user.name == name, signin.ids.pin_error.text
    return step


# the town ---------------------------------------------------------------------------------
@pytest.fixture
def town(tmp_path: Path) -> Path:
    path = make_station(tmp_path / "town", name="新集镇信访工作站", kind="town",
                        short_code="XJ010", cadres=(("张敏", "信访办主任"),))
    station = unlocked(path)
    try:   # a letter from October nobody decided on: its 15 days are long gone
        Petitions(station, today=lambda: TODAY).register(cadre(station, "张敏"), PetitionForm(
            "来信", "申诉求决", [PetitionerForm("周桂兰", village="王湾村")],
            "村里修路占用承包地两分，补偿款一直没有发放", received_at="2026-10-20 10:00",
            village="王湾村"))
    finally:
        station.close()
    return path


def board(app):
    sign_in("张敏")(app)
    app.go("petitions")
    rows = screen(app, "petitions").ids.rows.data
    assert len(rows) == 1 and rows[0]["red"] and "超期" in rows[0]["detail"], rows


def intake(app):
    press(screen(app, "petitions").ids.new_petition)
    form = screen(app, "petition_intake")
    form.ids.channel.value = "来访"
    form.ids.category.value = "申诉求决"
    form.ids.village.text = "王湾村"
    [row] = form.rows()
    row.ids.name.text = "周桂兰"
    row.ids.phone.text = "13612345678"
    form.ids.summary.text = "村里修路占用承包地两分，补偿款至今未发放"
    form.ids.request.text = "按标准发放占地补偿款"
    form.check()
    shown = texts(form.ids.rules)
    assert "建议不予受理" in shown and "正在办理" in shown, shown
    assert "越级" not in shown                     # Art 18: a visit to the town never is
    assert "不是初信初访" in form.first_time_text


def save(app):
    form = screen(app, "petition_intake")
    press(form.ids.save)
    assert form.done, form.ids.error.text
    assert "建议不予受理" in form.ids.result_text.text


def open_petition(app):
    press(screen(app, "petition_intake").ids.open_petition)
    petition = screen(app, "petition")
    assert "正在办理" in texts(petition.ids.facts)
    assert "受理告知：还剩" in petition.ids.status.text.replace("\xa0", " ") \
        or "受理" in petition.ids.status.text
    press(find_button(petition.ids.actions, "按提示不予受理"))


def refuse(app):
    petition = screen(app, "petition")
    press(petition.ids.form_ok)
    assert petition.state.status == "refused", petition.ids.form_error.text
    press(find_button(petition.ids.actions, "打印不予受理告知书"))
    keep_without_printing(app, "不予受理告知书")


def accusation_without_key(app):
    app.clear_message()
    app.go("accusation")
    accusation = screen(app, "accusation")
    assert "密钥还没有同步到本机" in accusation.ids.no_key.text
    assert accusation.ids.save.disabled and not accusation.can_seal


def test_town_petition_refused_as_proposed_and_no_key_for_accusations(
        kivy_app, town: Path) -> None:
    with window(1280, 800):
        run_screens(kivy_app, _app(town), [
            ("petition-board", board, ids("petitions", "title")),
            ("petition-intake", intake, ids("petition_intake", "title")),
            ("petition-saved", save, ids("petition_intake", "done_title")),
            ("petition", open_petition, ids("petition", "actions_title")),
            ("petition-refused", refuse, ids("petition", "actions_title")),
            ("accusation-no-key", accusation_without_key, None),
        ], name="petition-town", start_probe=ids("signin", "pick_title"))
    assert len(list((town / "prints").glob("信访不予受理告知书-*.pdf"))) == 1


# a village phone --------------------------------------------------------------------------
@pytest.fixture
def village(tmp_path: Path) -> Path:
    """王湾村's tablet after a sync that brought the town 纪委's announcement (its key)."""
    path = make_station(tmp_path / "wangwan", cadres=(("王芳", "村委委员"),))
    discipline = make_station(tmp_path / "jiwei", name="新集镇纪委", kind="town",
                              short_code="XJ099", cadres=(("孙纪", "纪委书记"),),
                              roles=("discipline",))
    source, target = unlocked(discipline), unlocked(path)
    try:
        carry(source, target)
    finally:
        source.close()
        target.close()
    return path


def phone_intake(app):
    sign_in("王芳")(app)
    app.go("dispute_intake")
    form = screen(app, "dispute_intake")
    form.ids.dispute_type.value = "婚姻家庭"
    form.ids.risk.value = "高"
    first, second = form.rows()
    first.ids.name.text = "李秀云"
    second.ids.name.text = "赵永刚"
    form.ids.summary.text = "夫妻因外出打工收入分配争吵，女方要求离婚"
    form.check_links()


def phone_saved(app):
    form = screen(app, "dispute_intake")
    form.ids.scroll.scroll_to(form.ids.save, animate=False)
    press(form.ids.save)
    assert form.done, form.ids.error.text
    assert "镇里会收到提醒" in form.ids.result_text.text


def phone_board(app):
    app.go("disputes")
    rows = screen(app, "disputes").ids.rows.data
    assert len(rows) == 1 and "激化风险高" in rows[0]["detail"]


def phone_accusation(app):
    app.go("accusation")
    accusation = screen(app, "accusation")
    assert accusation.can_seal and not accusation.ids.no_key.text
    accusation.ids.channel.value = "来访"
    accusation.ids.content.text = "反映村会计在低保评议中优亲厚友，把自家亲戚报成低保户"
    [row] = accusation.ids.accused.children
    row.ids.name.text = "钱某"
    row.ids.unit.text = "王湾村村委会"
    row.ids.post.text = "会计"


def phone_sealed(app):
    accusation = screen(app, "accusation")
    press(accusation.ids.save)
    assert accusation.done, accusation.ids.error.text
    assert "检举控告（密件）" in accusation.done_text
    assert not accusation.ids.content.text               # gone from the screen


def phone_petitions(app):
    app.go("petitions")
    board = screen(app, "petitions")
    assert "检举控告 1 件" in board.sealed_text.replace("\xa0", " ")
    assert "钱某" not in texts(board) and "低保" not in texts(board)


def test_village_phone_dispute_and_sealed_accusation(kivy_app, village: Path) -> None:
    """720×1280 pixels at density 1.8: a 400×711 dp phone held upright."""
    with window(720, 1280, density=1.8):
        run_screens(kivy_app, _app(village), [
            ("dispute-intake", phone_intake, ids("dispute_intake", "title")),
            ("dispute-saved", phone_saved, ids("dispute_intake", "done_title")),
            ("dispute-board", phone_board, ids("disputes", "title")),
            ("accusation", phone_accusation, ids("accusation", "title")),
            ("accusation-sealed", phone_sealed, ids("accusation", "done_title")),
            ("petitions", phone_petitions, ids("petitions", "title")),
        ], name="phone-village", start_probe=ids("signin", "pick_title"))
    station = unlocked(village)
    try:
        [(payload,)] = station.store.conn.execute(
            "SELECT payload FROM events WHERE type='petition.accusation_sealed'")
        assert "钱某" not in payload and "低保" not in payload     # ciphertext only
    finally:
        station.close()
