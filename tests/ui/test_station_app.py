"""The station app under a cadre's finger (issue #3 §4, issue #8 §1): sign in → intake →
save → it appears in the ledger → escalate; a visit; the duty roster; on a 1280×800 tablet
and a 720×1280 phone, every step a tap at screen coordinates or typing (tests/ui/touch.py),
every state swept (each visible control takes a tap at its centre, each point of the screen
goes to what is drawn there).

Screenshots: test-artifacts/<tablet|phone>-<nn>-<screen>.png, checked non-blank, and the
main screens' titles checked to be drawn with real glyphs."""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.flows import current, go_home, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import cadre, make_station, unlocked
from tests.ui.touch import touch_app


# steps --------------------------------------------------------------------------------------
def wrong_password(ui) -> None:
    signin = screen(ui.app, "signin")
    ui.tap("李建国", within=signin.ids.cadres)
    ui.tap_keys("139702", within=signin.ids.keypad)
    ui.tap("登录", within=signin.ids.keypad)
    assert ui.app.user is None
    assert "不对" in signin.ids.pin_error.text
    ui.shot("wrong-password", title("signin", "pick_title"))


def fill_intake(ui) -> None:
    ui.tap("受理办事")
    intake = screen(ui.app, "intake")
    ui.fill("姓名", "王秀英")
    ui.fill("联系电话", "1381234567")               # one digit short: said when leaving it
    ui.fill("身份证号", "11010519491231002X")
    phone = intake.ids.phone
    assert "11" in phone.error or "位" in phone.error, phone.error
    ui.fill("联系电话", "13812345678")
    ui.done_typing()
    assert intake.ids.phone.ok and intake.ids.id_number.ok
    assert intake.ids.sex.value == "女"                # read from the ID number
    ui.tap("男", within=intake.ids.sex)                 # a cadre can still correct it
    ui.tap("女", within=intake.ids.sex)
    ui.tap("▼ 村民组")                                   # the optional part opens and closes
    ui.fill("村民组", "三组")
    ui.shot("intake-more")
    ui.tap("▲ 收起")
    ui.tap("社会保险", within=intake.ids.category)
    ui.tap("城乡居民基本养老保险参保登记", within=intake.ids.matters)
    ui.tap(intake.ids.materials.children[-1])           # the first material: brought
    ui.fill("群众要办的事", "申请办理城乡居民养老保险参保登记，户口簿在外地儿子处")
    ui.done_typing()
    assert intake.ids.mode.value == "代办"              # a town matter taken at a village
    assert "户口簿" in intake.ids.notice.text
    ui.shot("intake", title("intake"))
    ui.scroll_into_view(intake.ids.save)
    ui.shot("intake-materials")


def save_intake(ui) -> None:
    intake = screen(ui.app, "intake")
    ui.tap("保存受理")
    assert intake.done, intake.ids.error.text
    assert intake.ids.receipt.text.startswith("XJ001-261127-")
    assert "户口簿" in intake.ids.missing.text
    ui.shot("receipt", title("intake", "done_title"))


def ledger_count(ui) -> int:
    ledger = screen(ui.app, "ledger")
    return len(ledger.ids.rows.data)


def open_ledger(ui) -> None:
    go_home(ui)
    ui.tap("台账查询")
    ledger = screen(ui.app, "ledger")
    assert [r["title"] for r in ledger.ids.rows.data] == ["王秀英 · 城乡居民基本养老保险参保登记"]
    if not ledger.filters_open:                        # folded away on a phone
        ui.tap("▼ 筛选条件")
    officer = ui.field("姓名", within=ledger.ids.filters)
    ui.fill(officer, ui.app.user.name)
    ui.done_typing()
    assert ledger_count(ui) == 1
    ui.fill(officer, "张三")
    ui.done_typing()
    assert ledger_count(ui) == 0
    ui.fill(officer, "")
    ui.tap("只看超期")
    assert ledger_count(ui) == 0
    ui.tap("只看超期")
    assert ledger_count(ui) == 1
    ui.fill("受理日期从", "2026-11-28")
    ui.done_typing()
    assert ledger_count(ui) == 0
    ui.fill("受理日期从", "2026-11-27")
    ui.done_typing()
    assert ledger_count(ui) == 1
    ui.fill("受理日期从", "11月27日")
    ui.done_typing()
    assert ledger_count(ui) == 0 and "日期" in ledger.ids.date_from.error
    ui.fill("受理日期从", "")
    ui.tap(ledger.ids.status)                          # the status list drops down
    ui.tap("已办结，待反馈群众")
    assert ledger_count(ui) == 0
    ui.tap(ledger.ids.status)
    ui.shot("ledger-status-list")                      # the list that drops down, swept too
    ui.tap("在办（未办结）")
    assert ledger_count(ui) == 1
    ui.tap("▲ 收起筛选")
    ui.fill("查姓名", "王秀英")
    ui.tap("查找")
    assert ledger_count(ui) == 1
    ui.tap("导出Excel")
    [sheet] = (ui.app.data_dir / "exports").glob("台账-*.xlsx")
    assert sheet.name in ui.app.message and "已导出 1 件" in ui.app.message
    ui.shot("ledger", title("ledger"))
    ui.tap(ui.app.shell.ids.sync_strip.ids.sync_label)  # the status line, read in full
    assert sheet.name in ui.texts(ui.app.shell.ids.detail_panel)
    ui.shot("ledger-message")
    ui.tap(ui.app.shell.ids.detail_panel)               # and closed with a tap
    assert not ui.app.detail


def open_case(ui) -> None:
    ui.tap("王秀英 · 城乡居民基本养老保险参保登记")
    assert current(ui) == "case"
    case = screen(ui.app, "case")
    labels = [b.text for b in case.ids.actions.children]
    assert "上报镇" in labels and "转办县直部门" not in labels and "回复" not in labels
    ui.shot("case", title("case", "actions_title"))


def escalate(ui) -> None:
    case = screen(ui.app, "case")
    ui.tap("上报镇", within=case.ids.actions)
    ui.tap("确定")                                     # nothing written yet: says what is missing
    assert "需要镇里解决的问题" in case.ids.form_error.text
    ui.fill("需要镇里解决的问题", "户口簿在外地，村里无法核实，请镇里协调办理")
    ui.shot("escalate-form")
    ui.tap("确定")
    assert case.state.status == "escalated", case.ids.form_error.text
    assert not [b for b in case.ids.actions.children if b.text == "上报镇"]
    assert "镇便民服务中心" in case.ids.no_actions.text
    ui.shot("escalated", title("case", "actions_title"))


def log_visit(ui) -> None:
    go_home(ui)
    ui.tap("来访登记")
    visits = screen(ui.app, "visits")
    ui.fill("来访人姓名", "赵大爷")
    ui.fill("来访事由", "咨询高龄津贴怎么申请")
    ui.tap("保存来访记录")
    assert visits.ids.name.text == "", visits.ids.error.text
    ui.tap("▼ 更多")                                    # the optional fields
    ui.tap("女", within=visits.ids.sex)
    ui.fill("年龄", "67")
    ui.fill("来访人姓名", "孙桂兰")
    ui.fill("来访事由", "反映三组路灯不亮")
    ui.done_typing()
    ui.shot("visits", title("visits"))
    ui.tap("保存来访记录")
    assert visits.ids.name.text == "", visits.ids.error.text


def schedule_and_check_in(ui) -> None:
    go_home(ui)
    ui.tap("带班坐班")
    duty = screen(ui.app, "duty")
    for who, shift, role in (("李建国", "上午", "带班"), ("王芳", "全天", "坐班")):
        ui.tap(who, within=duty.ids.who)
        ui.tap(shift, within=duty.ids.shift)
        ui.tap(role, within=duty.ids.role)
        ui.tap("保存排班")
        assert not duty.ids.error.text, duty.ids.error.text
    ui.tap("签到", within=duty.ids.roster)
    shown = ui.texts(duty.ids.roster)
    assert "在岗" in shown and "未签到" in shown
    ui.shot("duty", title("duty"))


def home_again(ui) -> None:
    go_home(ui)
    home = screen(ui.app, "home")
    on_duty = ui.texts(home.ids.duty)
    assert "李建国" in on_duty and "在岗" in on_duty
    assert "王秀英" in ui.texts(home.ids.board)
    ui.shot("home", title("home", "hello"))


def sync_without_hub(ui) -> None:
    ui.tap("同步")
    ui.until(lambda: not ui.app.syncing, timeout=20, what="the sync round to end")
    assert "登记" in ui.app.sync_error               # said in Chinese, in the red strip
    assert "登记" in ui.texts(ui.app.shell.ids.sync_strip)
    ui.shot("sync-error")


# runs ---------------------------------------------------------------------------------------------
@pytest.fixture
def village() -> Iterator[Path]:
    # In a short folder of its own: the 导出 message shows the workbook's full path, and the
    # phone's screenshot of it must not depend on how deep pytest's temporary folder is
    # (under pytest-xdist it has one more level, popen-gwN: one more line in the panel).
    root = Path(tempfile.mkdtemp(prefix="sanji-st-"))
    try:
        yield make_station(root / "station", cadres=(("李建国", "村委委员"), ("王芳", "代办员")))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _saved_as_expected(village: Path, officer: str) -> None:
    station = unlocked(village)
    try:
        conn = station.store.conn
        assert conn.execute("SELECT applicant, status FROM cases").fetchall() == [
            ("王秀英", "escalated")]
        assert conn.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 2
        authors = {a for (a,) in conn.execute("SELECT author FROM events WHERE kind='svc_case'")}
        assert authors == {cadre(station, officer).id}   # every event carries its author
    finally:
        station.close()


def a_day_at_the_station(ui) -> None:
    """From the home screen: a matter taken in, found in the ledger and sent up to the
    town; a visit; the duty roster."""
    fill_intake(ui)
    save_intake(ui)
    open_ledger(ui)
    open_case(ui)
    escalate(ui)
    log_visit(ui)
    schedule_and_check_in(ui)


def test_tablet_sign_in_intake_ledger_escalate(village: Path) -> None:
    with touch_app(station_app(village), "tablet", name="tablet") as ui:
        ui.shot("signin", title("signin", "pick_title"))
        wrong_password(ui)
        sign_in(ui, "李建国")
        ui.shot("home-first", title("home", "hello"))
        a_day_at_the_station(ui)
        home_again(ui)
    _saved_as_expected(village, "李建国")


def test_phone_portrait_sign_in_intake_ledger_escalate(village: Path) -> None:
    """720×1280 pixels at density 1.8: a 400×711 dp phone held upright."""
    with touch_app(station_app(village), "phone", name="phone") as ui:
        ui.shot("signin", title("signin", "pick_title"))
        sign_in(ui, "王芳")
        ui.shot("home", title("home", "hello"))
        a_day_at_the_station(ui)
        sync_without_hub(ui)
    _saved_as_expected(village, "王芳")
