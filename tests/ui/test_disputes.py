"""矛盾纠纷 in the station app, rendered offscreen for real (issue #4 §4): at the 王湾村
调解室 a dispute is registered with the earlier records of the same people shown at intake
(one wrong link dropped), a mediation session with a photo of the signed record, the
调解协议书 completed against Art 29, printed and saved; the 排查台账; then at the town
center a high-risk dispute from another village heads the home screen until a cadre takes
it, and the town's board shows every village's disputes, overdue first.

Screenshots: test-artifacts/<run>-<nn>-<screen>.png, each checked non-blank and, where a
probe names a title, for Chinese drawn with real glyphs."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.services.disputes import DisputeForm, Disputes, PartyForm
from tests.ui.screens import (
    find_button, keep_without_printing, press, run_screens, screen, window)
from tests.ui.stations import NOW, PIN, TODAY, cadre, carry, make_station, unlocked

DASHAN_ID = "411522196803150310"


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


def fill_intake(app):
    app.go("disputes")
    app.go("dispute_intake")
    intake = screen(app, "dispute_intake")
    ids_ = intake.ids
    ids_.received_at.text = "2026-11-26 21:40"          # came in at night
    ids_.dispute_type.value = "邻里关系"
    ids_.risk.value = "中"
    ids_.summary.text = "张大山与王小河两家排水沟又堵塞，雨水倒灌张家院子，双方争吵推搡"
    first, second = intake.rows()
    first.ids.name.text = "张大山"
    first.ids.id_number.text = DASHAN_ID
    first.ids.phone.text = "13812345678"
    first.ids.address.text = "王湾村三组"
    second.ids.name.text = "王小河"
    second.ids.phone.text = "1391234567"               # one digit short: said inline
    second.check_phone_field()
    assert "位" in second.ids.phone.error, second.ids.phone.error
    second.ids.phone.text = "13912345670"
    second.check_phone_field()
    second.ids.address.text = "王湾村三组"
    press(ids_.add_party)                                 # a third row, then taken away
    assert len(intake.rows()) == 3
    press(intake.rows()[2].ids.remove_button)
    assert len(intake.rows()) == 2
    found = intake.check_links()
    assert len(found) == 2, found
    assert "不是初信初访" in intake.first_time_text


def drop_wrong_link(app):
    intake = screen(app, "dispute_intake")
    rows = [r for r in intake.ids.links.children if hasattr(r, "record")]
    wage = next(r for r in rows if "工钱" in r.text)
    press(wage)                                           # not the same 张大山: untick
    assert not wage.active
    assert "不是初信初访" in intake.first_time_text        # the drain quarrel stays linked
    intake.ids.scroll.scroll_to(intake.ids.save, animate=False)


def save_intake(app):
    intake = screen(app, "dispute_intake")
    press(intake.ids.save)
    assert intake.done, intake.ids.error.text
    assert intake.result.ledger_no.startswith("王湾村纠2026-")
    assert len(intake.result.links) == 1 and not intake.result.first_time


def open_dispute(app):
    press(screen(app, "dispute_intake").ids.open_dispute)
    dispute = screen(app, "dispute")
    labels = [b.text for b in dispute.ids.actions.children]
    assert "登记调解" in labels and "认领包案" not in labels, labels


def session_form(photo: Path):
    def step(app):
        dispute = screen(app, "dispute")
        press(find_button(dispute.ids.actions, "登记调解"))
        press(dispute.ids.form_ok)
        assert "调解笔录" in dispute.ids.form_error.text
        dispute._inputs["record_text"].text = (
            "双方到村调解室。张大山称排水沟被王家填土堵塞；王小河称沟是公用的。调解员实地查看后提出："
            "王家清理填土，两家共同出资把排水沟改为暗管。双方同意。")
        dispute._inputs["file"].path = str(photo)
    return step


def save_session(app):
    dispute = screen(app, "dispute")
    press(dispute.ids.form_ok)
    assert not dispute.action, dispute.ids.form_error.text
    [session] = dispute.state.sessions
    assert session.attachments and session.attachments[0]["name"] == "笔录签字页.png"
    assert "笔录签字页.png" in texts(dispute.ids.sessions)


def agreement_form(app):
    dispute = screen(app, "dispute")
    press(find_button(dispute.ids.actions, "调解成功"))
    agreement = screen(app, "agreement")
    assert app.shell.screens.current == "agreement"
    assert agreement.ids.no.text.startswith("王湾村调〔2026〕")
    assert agreement.ids.mediators.text == "李建国"
    assert [row.ids.address.text for row in agreement.ids.parties.children] == ["王湾村三组"] * 2
    agreement.update_problems()
    shown = texts(agreement.ids.problems)
    assert "争议事项" in shown and "第1项协议" not in shown or "协议内容" in shown
    assert agreement.ids.save.disabled


def fill_agreement(app):
    agreement = screen(app, "agreement")
    ids_ = agreement.ids
    ids_.disputed_points.text = "排水沟填土由谁清理、改造费用怎么分担"
    ids_.responsibilities.text = "王小河填土堵沟负主要责任；张大山言语过激负次要责任"
    [term] = ids_.terms.children
    term.ids.content.text = "王小河清理排水沟内填土"
    term.ids.how.text = "王小河自行清理"
    term.ids.due.text = "2026-11-30"
    press(ids_.add_term)
    second = ids_.terms.children[0]
    second.ids.content.text = "两家共同出资将排水沟改为暗管，费用各半"
    second.ids.how.text = "双方各出资一半，村里组织施工"
    second.ids.due.text = "2026-12-20"
    agreement.update_problems()
    shown = texts(ids_.problems)
    assert "内容已齐全" in shown and "签名" in shown, shown
    press(ids_.print_button)                              # a draft for the parties to sign
    keep_without_printing(app, "调解协议书")
    ids_.scroll.scroll_to(ids_.print_button, animate=False)


def sign_and_save(app):
    agreement = screen(app, "agreement")
    for row in agreement.ids.signed.children:
        press(row)
    press(agreement.ids.seal)
    agreement.update_problems()
    assert not agreement.ids.save.disabled, texts(agreement.ids.problems)
    press(agreement.ids.save)
    assert app.shell.screens.current == "dispute", agreement.ids.error.text
    dispute = screen(app, "dispute")
    assert dispute.state.status == "agreed"
    press(find_button(dispute.ids.actions, "打印协议书"))
    keep_without_printing(app, "调解协议书")


def village_ledger(app):
    app.clear_message()
    app.go("disputes", mode="ledger")
    board = screen(app, "disputes")
    titles = [r["title"] for r in board.ids.rows.data]
    assert len(titles) == 3 and titles[0].startswith("张大山、王小河"), titles
    board.set_mode("board")
    first = board.ids.rows.data[0]
    assert first["red"] and "超期" in first["detail"], first     # October's quarrel


def extension_form(app):
    board = screen(app, "disputes")
    board.set_mode("ledger")
    wage = next(r for r in board.ids.rows.data if r["title"].startswith("张大山、刘建业"))
    app.go("dispute", record=wage["record"])
    dispute = screen(app, "dispute")
    press(find_button(dispute.ids.actions, "延长调解期限"))
    dispute._inputs["new_due"].text = "2027-01-20"
    dispute._inputs["reason"].text = "需要核对砖厂考勤记录，双方同意延长"
    first, second = dispute._inputs["consents"]
    first.ids.how.value = "签字"
    press(dispute.ids.form_ok)                            # one side has not agreed yet
    assert "双方当事人都同意" in dispute.ids.form_error.text, dispute.ids.form_error.text
    second.ids.how.value = "口头"


def extended(app):
    dispute = screen(app, "dispute")
    press(dispute.ids.form_ok)
    assert dispute.state.extended_to is not None, dispute.ids.form_error.text
    assert "已经双方同意延长" in dispute.ids.status.text


def failure_form(app):
    dispute = screen(app, "dispute")
    press(find_button(dispute.ids.actions, "调解不成"))
    referral = dispute._inputs["referral"]
    assert "上报镇调处中心" in referral.options and "上报县调处中心" not in referral.options
    # a wage dispute goes to labour arbitration first, never straight to court (劳动争议
    # 调解仲裁法 Art 5): the choices say so
    assert "诉讼" not in referral.options and referral.options[0] == "劳动争议仲裁"
    referral.value = "劳动争议仲裁"
    dispute._inputs["reason"].text = "双方对工钱数额分歧大，刘建业不同意再调"
    dispute._inputs["unit"].text = "县劳动人事争议仲裁委员会"


def failed(app):
    dispute = screen(app, "dispute")
    press(dispute.ids.form_ok)
    assert dispute.state.status == "referred", dispute.ids.form_error.text
    assert "引导劳动争议仲裁" in dispute.ids.status.text


def village_home(app):
    app.clear_message()
    app.go_home()
    home = screen(app, "home")
    shown = texts(home.ids.reminders)
    assert "申请司法确认" in shown, shown
    assert not home.ids.alerts.children                   # alerts are the town's


def _pdfs(path: Path) -> list[Path]:
    return sorted((path / "prints").glob("调解协议书*.pdf"))


def test_village_intake_session_agreement_and_ledger(kivy_app, wangwan: Path,
                                                      tmp_path: Path) -> None:
    photo = tmp_path / "笔录签字页.png"          # a page with lines of writing and a seal
    page = Image.new("RGB", (90, 120), (246, 244, 236))
    draw = ImageDraw.Draw(page)
    for y in range(12, 100, 9):
        draw.line((10, y, 80 - (y % 27), y), fill=(40, 40, 60), width=2)
    draw.ellipse((52, 86, 80, 114), outline=(200, 30, 30), width=3)
    page.save(photo)
    with window(1280, 800):
        run_screens(kivy_app, _app(wangwan), [
            ("home", sign_in("李建国"), ids("home", "hello")),
            ("dispute-intake", fill_intake, ids("dispute_intake", "title")),
            ("dispute-intake-links", drop_wrong_link, None),
            ("dispute-saved", save_intake, ids("dispute_intake", "done_title")),
            ("dispute", open_dispute, ids("dispute", "actions_title")),
            ("session-form", session_form(photo), None),
            ("session-saved", save_session, ids("dispute", "actions_title")),
            ("agreement", agreement_form, ids("agreement", "title")),
            ("agreement-filled", fill_agreement, None),
            ("agreement-saved", sign_and_save, ids("dispute", "actions_title")),
            ("dispute-ledger", village_ledger, ids("disputes", "title")),
            ("extension-form", extension_form, None),
            ("extended", extended, ids("dispute", "actions_title")),
            ("failure-form", failure_form, None),
            ("referred", failed, ids("dispute", "actions_title")),
            ("home-reminders", village_home, ids("home", "hello")),
        ], name="dispute-village", start_probe=ids("signin", "pick_title"))
    printed = _pdfs(wangwan)
    assert len(printed) == 2 and all(p.read_bytes().startswith(b"%PDF") for p in printed)

    # the town center: 李庄村's high-risk quarrel and everything 王湾村 did, as a sync brings it
    town = _town(tmp_path, wangwan)
    with window(1280, 800):
        run_screens(kivy_app, _app(town), [
            ("home-alert", town_home_alert, ids("home", "hello")),
            ("alert-dispute", open_alert, ids("dispute", "actions_title")),
            ("take", take_it, ids("dispute", "actions_title")),
            ("home-taken", alert_gone, ids("home", "hello")),
            ("board", town_board, ids("disputes", "title")),
        ], name="dispute-town", start_probe=ids("signin", "pick_title"))


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


def town_home_alert(app):
    sign_in("张敏")(app)
    home = screen(app, "home")
    shown = texts(home.ids.alerts)
    assert "高风险矛盾纠纷 1 起" in shown and "孙志强、孙志刚" in shown, shown


def open_alert(app):
    home = screen(app, "home")
    row = next(w for w in home.ids.alerts.walk(restrict=True)
               if getattr(w, "target", "") == "dispute")
    press(row)
    dispute = screen(app, "dispute")
    assert app.shell.screens.current == "dispute"
    assert "还没有人认领包案" in dispute.ids.status.text
    press(find_button(dispute.ids.actions, "认领包案"))


def take_it(app):
    dispute = screen(app, "dispute")
    press(dispute.ids.form_ok)
    assert dispute.state.taken and dispute.state.taken["by"]["name"] == "张敏", \
        dispute.ids.form_error.text
    assert "包案领导：[/color]张敏" in texts(dispute.ids.facts)
    assert "李庄村调解室调解" in dispute.ids.no_actions.text


def alert_gone(app):
    app.clear_message()
    app.go_home()
    assert not screen(app, "home").ids.alerts.children


def town_board(app):
    app.go("disputes")
    board = screen(app, "disputes")
    rows = [{k: str(v).replace("\xa0", " ") for k, v in r.items()} for r in board.ids.rows.data]
    assert [r["title"].split(" · ")[0] for r in rows] == [   # 刘建业's went to court
        "张大山、王小河", "孙志强、孙志刚", "张大山、王小河"], rows
    assert rows[0]["red"] == "True" and "超期" in rows[0]["detail"]           # overdue first
    assert "王湾村" in rows[0]["detail"] and "李庄村" in rows[1]["detail"]
    assert "包案 张敏" in rows[1]["detail"]
    assert "调解成功" in rows[2]["detail"] and "回访" in rows[2]["detail"]   # the village's agreement
