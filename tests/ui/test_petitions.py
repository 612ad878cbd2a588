"""信访 in the station app, by touch (issue #4 §2, §4; issue #8 §1; issue #10): at the town
a visit about a matter whose letter is still undecided gets the proposed 不予受理 (同一事项
正在办理) at intake, is saved and refused as proposed with its notice printed; the board
shows days left with the overdue one red; 检举控告 on a tablet with no 纪委 key says so and
files nothing. On a village phone held
upright, with the 纪委 key synced: a dispute intake, the dispute board, and a 检举控告
filed sealed, after which only a line without content or names is shown."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.services.petitions import PetitionerForm, PetitionForm, Petitions
from tests.ui.flows import current, go_home, keep_without_printing, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked
from tests.ui.test_disputes import texts
from tests.ui.touch import touch_app


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


def board(ui) -> None:
    sign_in(ui, "张敏")
    ui.tap("信访")
    rows = screen(ui.app, "petitions").ids.rows.data
    assert len(rows) == 1 and rows[0]["red"] and "超期" in rows[0]["detail"], rows
    ui.shot("petition-board", title("petitions"))


def intake(ui) -> None:
    ui.tap("＋ 登记信访")
    form = screen(ui.app, "petition_intake")
    ui.tap("来访", within=form.ids.channel)
    ui.tap("申诉求决", within=form.ids.category)
    ui.fill("哪个村的事", "王湾村")
    [row] = form.rows()
    ui.fill("姓名", "周桂兰", within=row)
    ui.fill("联系电话", "13612345678", within=row)
    ui.fill("反映的主要内容", "村里修路占用承包地两分，补偿款至今未发放")
    ui.fill("信访人的诉求", "按标准发放占地补偿款")
    ui.done_typing()
    shown = texts(form.ids.rules)
    assert "建议不予受理" in shown and "正在办理" in shown, shown
    assert "越级" not in shown                     # Art 18: a visit to the town never is
    assert "不是初信初访" in form.first_time_text
    ui.shot("petition-intake", title("petition_intake"))


def save(ui) -> None:
    form = screen(ui.app, "petition_intake")
    ui.tap("保存登记")
    assert form.done, form.ids.error.text
    assert "建议不予受理" in form.ids.result_text.text
    ui.shot("petition-saved", title("petition_intake", "done_title"))


def refuse_as_proposed(ui) -> None:
    ui.tap(screen(ui.app, "petition_intake").ids.open_petition)
    petition = screen(ui.app, "petition")
    assert "正在办理" in texts(petition.ids.facts)
    assert "受理告知：还剩" in petition.ids.status.text.replace("\xa0", " ") \
        or "受理" in petition.ids.status.text
    ui.shot("petition", title("petition", "actions_title"))
    ui.tap("按提示不予受理", within=petition.ids.actions)
    ui.tap("确定", within=petition.ids.form)
    assert petition.state.status == "refused", petition.ids.form_error.text
    ui.tap("打印不予受理告知书", within=petition.ids.actions)
    keep_without_printing(ui, "不予受理告知书")
    ui.shot("petition-refused", title("petition", "actions_title"))


def accusation_without_key(ui) -> None:
    go_home(ui)
    ui.tap("信访")
    ui.tap("检举控告（加密）")
    accusation = screen(ui.app, "accusation")
    assert current(ui) == "accusation"
    assert "密钥还没有同步到本机" in accusation.ids.no_key.text
    assert not accusation.can_seal and accusation.ids.save.parent is None  # no form at all
    ui.shot("accusation-no-key", title("accusation"))


def test_town_petition_refused_as_proposed_and_no_key_for_accusations(town: Path) -> None:
    with touch_app(station_app(town), "tablet", name="petition-town") as ui:
        board(ui)
        intake(ui)
        save(ui)
        refuse_as_proposed(ui)
        accusation_without_key(ui)
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


def phone_dispute(ui) -> None:
    sign_in(ui, "王芳")
    ui.tap("矛盾纠纷")
    ui.tap("＋ 登记纠纷")
    form = screen(ui.app, "dispute_intake")
    ui.tap("婚姻家庭", within=form.ids.dispute_type)
    ui.tap("高", within=form.ids.risk)
    first, second = form.rows()
    ui.fill("姓名", "李秀云", within=first)
    ui.fill("姓名", "赵永刚", within=second)
    ui.fill("简要情况", "夫妻因外出打工收入分配争吵，女方要求离婚")
    ui.done_typing()
    ui.shot("dispute-intake", title("dispute_intake"))
    ui.tap("保存登记")
    assert form.done, form.ids.error.text
    assert "镇里会收到提醒" in form.ids.result_text.text
    ui.shot("dispute-saved", title("dispute_intake", "done_title"))
    go_home(ui)
    ui.tap("矛盾纠纷")
    rows = screen(ui.app, "disputes").ids.rows.data
    assert len(rows) == 1 and "激化风险高" in rows[0]["detail"]
    ui.shot("dispute-board", title("disputes"))


def phone_accusation(ui) -> None:
    go_home(ui)
    ui.tap("信访")
    ui.tap("检举控告（加密）")
    accusation = screen(ui.app, "accusation")
    assert accusation.can_seal and not accusation.ids.no_key.text
    ui.tap("来访", within=accusation.ids.channel)
    ui.fill("检举控告的内容", "反映村会计在低保评议中优亲厚友，把自家亲戚报成低保户")
    [row] = accusation.ids.accused.children
    ui.fill("姓名", "钱某", within=row)
    ui.fill("单位", "王湾村村委会", within=row)
    ui.fill("职务", "会计", within=row)
    ui.done_typing()
    ui.shot("accusation", title("accusation"))
    ui.tap("加密登记")
    assert accusation.done, accusation.ids.error.text
    assert "检举控告（密件）" in accusation.done_text
    assert not accusation.ids.content.text               # gone from the screen
    assert "钱某" not in ui.texts() and "低保" not in ui.texts()
    ui.shot("accusation-sealed", title("accusation", "done_title"))
    ui.tap("回到信访")
    board = screen(ui.app, "petitions")
    assert "检举控告 1 件" in board.sealed_text.replace("\xa0", " ")
    assert "钱某" not in texts(board) and "低保" not in texts(board)
    ui.shot("petitions", title("petitions"))


def test_village_phone_dispute_and_sealed_accusation(village: Path) -> None:
    """720×1280 pixels at density 1.8: a 400×711 dp phone held upright."""
    with touch_app(station_app(village), "phone", name="phone-village") as ui:
        phone_dispute(ui)
        phone_accusation(ui)
    station = unlocked(village)
    try:
        [(payload,)] = station.store.conn.execute(
            "SELECT payload FROM events WHERE type='petition.accusation_sealed'")
        assert "钱某" not in payload and "低保" not in payload     # ciphertext only
    finally:
        station.close()
