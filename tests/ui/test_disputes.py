"""矛盾纠纷 in the station app, by touch (issue #4 §4, issue #8 §1): at the 王湾村 调解室
(a tablet) a dispute is registered with the earlier records of the same people shown at
intake (one wrong link dropped), a mediation session with a photo of the signed record,
the 调解协议书 completed against Art 29, printed and saved; the 排查台账; then at the town
center (a phone) a high-risk dispute from another village heads the home screen until a
cadre takes it, and the town's board shows every village's disputes, overdue first.

Screenshots: test-artifacts/dispute-<village|town>-<nn>-<screen>.png; every state swept."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.services.disputes import DisputeForm, Disputes, PartyForm
from tests.ui.flows import current, go_home, keep_without_printing, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import TODAY, cadre, carry, make_station, unlocked
from tests.ui.touch import touch_app

DASHAN_ID = "411522196803150310"


def texts(widget) -> str:
    """Every text drawn under ``widget`` (no-break spaces as spaces)."""
    return " ".join(w.text for w in widget.walk(restrict=True)
                    if isinstance(getattr(w, "text", None), str)).replace("\xa0", " ")


# the village 调解室 -------------------------------------------------------------------------
def _earlier_disputes(path: Path) -> None:
    """Before today: the same two neighbours over the same drain (same ID: a repeat), and
    a namesake 张大山 of the same village in a wage quarrel (a wrong link to drop)."""
    station = unlocked(path)
    try:
        svc = Disputes(station, today=lambda: TODAY)
        officer = cadre(station, "李建国")
        svc.register(officer, DisputeForm("邻里关系", [
            PartyForm("张大山", "申请人", id_number=DASHAN_ID, address="王湾村三组"),
            PartyForm("王小河", "被申请人", address="王湾村三组")],
            "张大山与王小河因两家之间排水沟堵塞发生争吵", "低",
            received_at="2026-10-12 09:20"))
        wage = svc.register(officer, DisputeForm("劳资", [
            PartyForm("张大山", "申请人"), PartyForm("刘建业", "被申请人")],
            "张大山在刘建业的砖厂干活，工钱八千元未结清", "中",
            received_at="2026-11-20 15:00")).record
        svc.add_session(officer, wage, mediators="李建国", on="2026-11-24",
                        record_text="刘建业称工钱已部分结清，双方对金额说法不一")
    finally:
        station.close()


@pytest.fixture
def wangwan(tmp_path: Path) -> Path:
    path = make_station(tmp_path / "wangwan", cadres=(("李建国", "调解委员会主任"),))
    _earlier_disputes(path)
    return path


def fill_intake(ui) -> None:
    ui.tap("矛盾纠纷")
    ui.tap("＋ 登记纠纷")
    intake = screen(ui.app, "dispute_intake")
    ui.fill("受理时间", "2026-11-26 21:40")                 # came in at night
    ui.tap("邻里关系", within=intake.ids.dispute_type)
    ui.tap("中", within=intake.ids.risk)
    ui.fill("简要情况", "张大山与王小河两家排水沟又堵塞，雨水倒灌张家院子，双方争吵推搡")
    first, second = intake.rows()
    ui.fill("姓名", "张大山", within=first)
    ui.fill("身份证号", DASHAN_ID, within=first)
    ui.fill("联系电话", "13812345678", within=first)
    ui.fill("住址", "王湾村三组", within=first)
    ui.fill("姓名", "王小河", within=second)
    ui.fill("联系电话", "1391234567", within=second)         # one digit short: said inline
    ui.fill("住址", "王湾村三组", within=second)
    assert "位" in second.ids.phone.error, second.ids.phone.error
    ui.fill("联系电话", "13912345670", within=second)
    ui.done_typing()
    assert not second.ids.phone.error
    ui.tap("＋ 再加一位当事人")                              # a third row, then taken away
    assert len(intake.rows()) == 3
    ui.tap("删除", within=intake.rows()[2])
    assert len(intake.rows()) == 2
    rows = [r for r in intake.ids.links.children if hasattr(r, "record")]
    assert len(rows) == 2, ui.texts(intake.ids.links)
    assert "不是初信初访" in intake.first_time_text
    ui.shot("dispute-intake", title("dispute_intake"))


def drop_wrong_link(ui) -> None:
    intake = screen(ui.app, "dispute_intake")
    rows = [r for r in intake.ids.links.children if hasattr(r, "record")]
    wage = next(r for r in rows if "工钱" in r.text)
    ui.tap(wage)                                           # not the same 张大山: untick
    assert not wage.active
    assert "不是初信初访" in intake.first_time_text         # the drain quarrel stays linked
    ui.scroll_into_view(intake.ids.save)
    ui.shot("dispute-intake-links")


def save_intake(ui) -> None:
    intake = screen(ui.app, "dispute_intake")
    ui.tap("保存登记")
    assert intake.done, intake.ids.error.text
    assert intake.result.ledger_no.startswith("王湾村纠2026-")
    assert len(intake.result.links) == 1 and not intake.result.first_time
    ui.shot("dispute-saved", title("dispute_intake", "done_title"))


def open_dispute(ui) -> None:
    ui.tap("查看这起纠纷")
    dispute = screen(ui.app, "dispute")
    labels = [b.text for b in dispute.ids.actions.children]
    assert "登记调解" in labels and "认领包案" not in labels, labels
    ui.shot("dispute", title("dispute", "actions_title"))


def record_session(ui, photo: Path) -> None:
    dispute = screen(ui.app, "dispute")
    ui.tap("登记调解", within=dispute.ids.actions)
    ui.tap("保存", within=dispute.ids.form)
    assert "调解笔录" in dispute.ids.form_error.text
    ui.fill("调解笔录", "双方到村调解室。张大山称排水沟被王家填土堵塞；王小河称沟是公用的。"
                    "调解员实地查看后提出：王家清理填土，两家共同出资把排水沟改为暗管。双方同意。")
    ui.done_typing()
    ui.tap("选照片或扫描件", within=dispute.ids.form)   # the Chinese picker (issue #8 §2)
    ui.tap(photo.name)
    ui.shot("photo-picker")
    ui.tap("用这张")
    assert dispute._inputs["file"].path == str(photo)
    ui.shot("session-form")
    ui.tap("保存", within=dispute.ids.form)
    assert not dispute.action, dispute.ids.form_error.text
    [session] = dispute.state.sessions
    assert session.attachments and session.attachments[0]["name"] == "笔录签字页.png"
    assert "笔录签字页.png" in texts(dispute.ids.sessions)
    ui.shot("session-saved", title("dispute", "actions_title"))


def agreement_form(ui) -> None:
    dispute = screen(ui.app, "dispute")
    ui.tap("调解成功", within=dispute.ids.actions)
    agreement = screen(ui.app, "agreement")
    assert current(ui) == "agreement"
    assert agreement.ids.no.text.startswith("王湾村调〔2026〕")
    assert agreement.ids.mediators.text == "李建国"
    assert [row.ids.address.text for row in agreement.ids.parties.children] == ["王湾村三组"] * 2
    shown = texts(agreement.ids.problems)
    assert "争议事项" in shown and "第1项协议" not in shown or "协议内容" in shown
    assert agreement.ids.save.disabled
    ui.shot("agreement", title("agreement"))


def fill_agreement(ui) -> None:
    agreement = screen(ui.app, "agreement")
    ids_ = agreement.ids
    ui.fill("争议事项", "排水沟填土由谁清理、改造费用怎么分担")
    ui.fill("各方当事人的责任", "王小河填土堵沟负主要责任；张大山言语过激负次要责任")
    [term] = ids_.terms.children
    ui.fill("协议内容", "王小河清理排水沟内填土", within=term)
    ui.fill("履行方式", "王小河自行清理", within=term)
    ui.fill("履行期限", "2026-11-30", within=term)
    ui.tap("＋ 再加一项协议内容")
    second = ids_.terms.children[0]
    ui.fill("协议内容", "两家共同出资将排水沟改为暗管，费用各半", within=second)
    ui.fill("履行方式", "双方各出资一半，村里组织施工", within=second)
    ui.fill("履行期限", "2026-12-20", within=second)
    ui.done_typing()
    ui.wait(0.4)
    shown = texts(ids_.problems)
    assert "内容已齐全" in shown and "签名" in shown, shown
    ui.tap("打印协议书")                                   # a draft for the parties to sign
    ui.shot("print-dialog")
    keep_without_printing(ui, "调解协议书")
    ui.shot("agreement-filled")


def sign_and_save(ui) -> None:
    agreement = screen(ui.app, "agreement")
    for row in list(agreement.ids.signed.children):
        ui.tap(row)
    ui.tap("已加盖人民调解委员会印章")
    ui.wait(0.4)                                 # the checklist is read again 0.3 s later
    assert not agreement.ids.save.disabled, texts(agreement.ids.problems)
    ui.tap("保存协议（调解成功）")
    assert current(ui) == "dispute", agreement.ids.error.text
    dispute = screen(ui.app, "dispute")
    assert dispute.state.status == "agreed"
    ui.tap("打印协议书", within=dispute.ids.actions)
    keep_without_printing(ui, "调解协议书")
    ui.shot("agreement-saved", title("dispute", "actions_title"))


def village_ledger(ui) -> None:
    go_home(ui)
    ui.tap("矛盾纠纷")
    ui.tap("排查台账（全部）")
    board = screen(ui.app, "disputes")
    titles = [r["title"] for r in board.ids.rows.data]
    assert len(titles) == 3 and titles[0].startswith("张大山、王小河"), titles
    ui.tap("在办（超期在前）")
    first = board.ids.rows.data[0]
    assert first["red"] and "超期" in first["detail"], first     # October's quarrel
    ui.shot("dispute-ledger", title("disputes"))


def extend(ui) -> None:
    ui.tap("排查台账（全部）")
    ui.tap("张大山、刘建业")
    dispute = screen(ui.app, "dispute")
    ui.tap("延长调解期限", within=dispute.ids.actions)
    ui.fill("延长到", "2027-01-20")
    ui.fill("延长的理由", "需要核对砖厂考勤记录，双方同意延长")
    first, second = dispute._inputs["consents"]
    ui.tap("签字", within=first.ids.how)
    ui.tap("保存", within=dispute.ids.form)                 # one side has not agreed yet
    assert "双方当事人都同意" in dispute.ids.form_error.text, dispute.ids.form_error.text
    ui.tap("口头", within=second.ids.how)
    ui.shot("extension-form")
    ui.tap("保存", within=dispute.ids.form)
    assert dispute.state.extended_to is not None, dispute.ids.form_error.text
    assert "已经双方同意延长" in dispute.ids.status.text
    ui.shot("extended", title("dispute", "actions_title"))


def fail_and_refer(ui) -> None:
    dispute = screen(ui.app, "dispute")
    ui.tap("调解不成", within=dispute.ids.actions)
    referral = dispute._inputs["referral"]
    assert "上报镇调处中心" in referral.options and "上报县调处中心" not in referral.options
    # a wage dispute goes to labour arbitration first, never straight to court (劳动争议
    # 调解仲裁法 Art 5): the choices say so
    assert "诉讼" not in referral.options and referral.options[0] == "劳动争议仲裁"
    ui.fill("调解不成的原因", "双方对工钱数额分歧大，刘建业不同意再调")
    ui.tap("劳动争议仲裁", within=referral)
    ui.fill("具体单位", "县劳动人事争议仲裁委员会")
    ui.done_typing()
    ui.shot("failure-form")
    ui.tap("保存", within=dispute.ids.form)
    assert dispute.state.status == "referred", dispute.ids.form_error.text
    assert "引导劳动争议仲裁" in dispute.ids.status.text
    ui.shot("referred", title("dispute", "actions_title"))


def village_home(ui) -> None:
    go_home(ui)
    home = screen(ui.app, "home")
    shown = texts(home.ids.reminders)
    assert "申请司法确认" in shown, shown
    assert not home.ids.alerts.children                   # alerts are the town's
    ui.shot("home-reminders", title("home", "hello"))


def _pdfs(path: Path) -> list[Path]:
    return sorted((path / "prints").glob("调解协议书*.pdf"))


def test_village_intake_session_agreement_and_ledger(wangwan: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pictures = tmp_path / "home" / "Pictures"     # where the tablet keeps its photos
    pictures.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    photo = pictures / "笔录签字页.png"          # a page with lines of writing and a seal
    page = Image.new("RGB", (90, 120), (246, 244, 236))
    draw = ImageDraw.Draw(page)
    for y in range(12, 100, 9):
        draw.line((10, y, 80 - (y % 27), y), fill=(40, 40, 60), width=2)
    draw.ellipse((52, 86, 80, 114), outline=(200, 30, 30), width=3)
    page.save(photo)
    with touch_app(station_app(wangwan), "tablet", name="dispute-village") as ui:
        sign_in(ui, "李建国")
        fill_intake(ui)
        drop_wrong_link(ui)
        save_intake(ui)
        open_dispute(ui)
        record_session(ui, photo)
        agreement_form(ui)
        fill_agreement(ui)
        sign_and_save(ui)
        village_ledger(ui)
        extend(ui)
        fail_and_refer(ui)
        village_home(ui)
    printed = _pdfs(wangwan)
    assert len(printed) == 2 and all(p.read_bytes().startswith(b"%PDF") for p in printed)

    # the town center: 李庄村's high-risk quarrel and everything 王湾村 did, as a sync brings it
    town = _town(tmp_path, wangwan)
    with touch_app(station_app(town), "phone", name="dispute-town") as ui:
        town_takes_the_alert(ui)
        town_board(ui)


# the town center --------------------------------------------------------------------------
def _town(root: Path, wangwan: Path) -> Path:
    lizhuang = make_station(root / "lizhuang", name="李庄村", short_code="XJ002",
                            cadres=(("赵红梅", "村支书"),))
    station = unlocked(lizhuang)
    try:
        Disputes(station, today=lambda: TODAY).register(cadre(station, "赵红梅"), DisputeForm(
            "土地", [PartyForm("孙志强", "申请人", address="李庄村二组"),
                   PartyForm("孙志刚", "被申请人", address="李庄村二组")],
            "兄弟两家争承包地边界，扬言要动刀，已报派出所出警", "高",
            received_at="2026-11-27 07:50"))
    finally:
        station.close()
    town = make_station(root / "town", name="新集镇矛盾调处化解中心", kind="town",
                        short_code="XJ010", cadres=(("张敏", "中心主任"),))
    target = unlocked(town)
    try:
        for village in (wangwan, lizhuang):
            source = unlocked(village)
            carry(source, target)
            source.close()
    finally:
        target.close()
    return town


def town_takes_the_alert(ui) -> None:
    sign_in(ui, "张敏")
    home = screen(ui.app, "home")
    shown = texts(home.ids.alerts)
    assert "高风险矛盾纠纷 1 起" in shown and "孙志强、孙志刚" in shown, shown
    ui.shot("home-alert", title("home", "hello"))
    ui.tap("孙志强、孙志刚", within=home.ids.alerts)
    dispute = screen(ui.app, "dispute")
    assert current(ui) == "dispute"
    assert "还没有人认领包案" in dispute.ids.status.text
    ui.shot("alert-dispute", title("dispute", "actions_title"))
    ui.tap("认领包案", within=dispute.ids.actions)
    ui.tap("认领", within=dispute.ids.form)
    assert dispute.state.taken and dispute.state.taken["by"]["name"] == "张敏", \
        dispute.ids.form_error.text
    assert "包案领导：[/color]张敏" in texts(dispute.ids.facts)
    assert "李庄村调解室调解" in dispute.ids.no_actions.text
    ui.shot("taken", title("dispute", "actions_title"))
    go_home(ui)
    assert not screen(ui.app, "home").ids.alerts.children
    ui.shot("home-taken", title("home", "hello"))


def town_board(ui) -> None:
    ui.tap("矛盾纠纷")
    board = screen(ui.app, "disputes")
    rows = [{k: str(v).replace("\xa0", " ") for k, v in r.items()} for r in board.ids.rows.data]
    assert [r["title"].split(" · ")[0] for r in rows] == [   # 刘建业's went to court
        "张大山、王小河", "孙志强、孙志刚", "张大山、王小河"], rows
    assert rows[0]["red"] == "True" and "超期" in rows[0]["detail"]           # overdue first
    assert "王湾村" in rows[0]["detail"] and "李庄村" in rows[1]["detail"]
    assert "包案 张敏" in rows[1]["detail"]
    assert "调解成功" in rows[2]["detail"] and "回访" in rows[2]["detail"]   # the village's agreement
    ui.shot("board", title("disputes"))
