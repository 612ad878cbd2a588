"""The station app, rendered offscreen for real (issue #3 §4): sign in → intake → save →
it appears in the ledger → escalate, on a 1280×800 tablet and a 720×1280 phone; the town's
inbox, overview and forwarding; enrollment and sync against a real hub process.

Every screenshot goes to test-artifacts/<run>-<nn>-<screen>.png and is checked non-blank,
and each main screen is checked to draw its Chinese title with real glyphs."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.screens import find_button, press, run_screens, screen, window
from tests.ui.stations import NOW, PIN, TODAY, cadre, make_station, unlocked


def _app(data: Path, **kwargs):
    from app.ui.main import SanjiApp
    return SanjiApp(data, today=lambda: TODAY, now=lambda: NOW, sync_minutes=0, **kwargs)


def ids(name: str, key: str):
    """A probe: the widget ``key`` of screen ``name``."""
    return lambda app: screen(app, name).ids[key]


# steps ------------------------------------------------------------------------------------------
def sign_in(name: str, pin: str = PIN):
    def step(app):
        signin = screen(app, "signin")
        press(find_button(signin.ids.cadres, name))
        for digit in pin:
            signin.key(digit)
        press(signin.ids.login)
        assert app.user is not None and app.user.name == name, signin.ids.pin_error.text
        assert app.shell.screens.current == "home"
    return step


def wrong_pin(app):
    signin = screen(app, "signin")
    press(find_button(signin.ids.cadres, "李建国"))
    for digit in "139702":
        signin.key(digit)
    press(signin.ids.login)
    assert app.user is None
    assert "不对" in signin.ids.pin_error.text


def fill_intake(app):
    app.go("intake")
    intake = screen(app, "intake")
    intake.ids.name.text = "王秀英"
    intake.ids.phone.text = "1381234567"           # one digit short: said inline
    intake.check_phone_field()
    assert "11" in intake.ids.phone.error or "位" in intake.ids.phone.error, intake.ids.phone.error
    intake.ids.phone.text = "13812345678"
    intake.check_phone_field()
    intake.ids.id_number.text = "11010519491231002X"
    intake.check_id_field()
    intake.ids.category.value = "社会保险"
    press(find_button(intake.ids.matters, "城乡居民基本养老保险参保登记"))
    first_material = intake.ids.materials.children[-1]
    press(first_material)
    intake.ids.summary.text = "申请办理城乡居民养老保险参保登记，户口簿在外地儿子处"
    assert intake.ids.phone.ok and intake.ids.id_number.ok
    assert intake.ids.sex.value == "女"             # read from the ID number
    assert intake.ids.mode.value == "代办"          # a town matter taken at a village
    assert "户口簿" in intake.ids.notice.text


def intake_materials(app):
    intake = screen(app, "intake")
    intake.ids.scroll.scroll_to(intake.ids.save, animate=False)


def save_intake(app):
    intake = screen(app, "intake")
    press(intake.ids.save)
    assert intake.done, intake.ids.error.text
    assert intake.ids.receipt.text.startswith("XJ001-261127-")
    assert "户口簿" in intake.ids.missing.text


def open_ledger(app):
    app.go("ledger")
    ledger = screen(app, "ledger")
    assert [r["title"] for r in ledger.ids.rows.data] == ["王秀英 · 城乡居民基本养老保险参保登记"]
    def count(**fields) -> int:
        for key, value in fields.items():
            widget = ledger.ids[key]
            if key == "overdue":
                widget.state = value
            else:
                widget.text = value
        ledger.refresh()
        return len(ledger.ids.rows.data)

    assert count(officer=app.user.name) == 1 and count(officer="张三") == 0
    assert count(officer="", overdue="down") == 0 and count(overdue="normal") == 1
    assert count(date_from="2026-11-28") == 0 and count(date_from="2026-11-27") == 1
    assert count(date_from="11月27日") == 0 and "日期" in ledger.ids.date_from.error
    assert count(date_from="", status="已办结，待反馈群众") == 0
    assert count(status="在办（未办结）", matter="城乡居民基本养老保险参保登记") == 1
    ledger.ids.search.text = "王秀英"
    press(ledger.ids.find)
    assert len(ledger.ids.rows.data) == 1
    press(ledger.ids.export)
    [sheet] = (app.data_dir / "exports").glob("台账-*.xlsx")
    assert str(sheet) in app.message and "已导出 1 件" in app.message


def shown_rows(ledger) -> list[str]:
    """The text the ledger's row widgets draw (not just the data behind them)."""
    layout = ledger.ids.rows.children[0]
    return [" ".join(label.text for label in row.children) for row in layout.children]


def open_case(app):
    ledger = screen(app, "ledger")
    assert any("王秀英" in text and "XJ001-" in text for text in shown_rows(ledger))
    app.go("case", record=ledger.ids.rows.data[0]["record"])
    case = screen(app, "case")
    labels = [b.text for b in case.ids.actions.children]
    assert "上报镇" in labels and "转办县直部门" not in labels and "回复" not in labels


def escalate_form(app):
    case = screen(app, "case")
    press(find_button(case.ids.actions, "上报镇"))
    press(case.ids.form_ok)                           # nothing written yet: says what is missing
    assert "需要镇里解决的问题" in case.ids.form_error.text
    case._inputs["summary"].text = "户口簿在外地，村里无法核实，请镇里协调办理"


def escalate(app):
    case = screen(app, "case")
    press(case.ids.form_ok)
    assert case.state.status == "escalated", case.ids.form_error.text
    assert not [b for b in case.ids.actions.children if b.text == "上报镇"]
    assert "镇便民服务中心" in case.ids.no_actions.text


def log_visit(app):
    app.go("visits")
    visits = screen(app, "visits")
    visits.ids.name.text = "赵大爷"
    visits.ids.matter.text = "咨询高龄津贴怎么申请"
    press(visits.ids.save)
    assert visits.ids.name.text == "", visits.ids.error.text
    press(visits.ids.toggle_more)      # the optional fields, for the screenshot
    visits.ids.name.text = "孙桂兰"
    visits.ids.matter.text = "反映三组路灯不亮"


def schedule_and_check_in(app):
    app.go("duty")
    duty = screen(app, "duty")
    for who, shift, role in (("李建国", "上午", "带班"), ("王芳", "全天", "坐班")):
        duty.ids.who.value, duty.ids.shift.value, duty.ids.role.value = who, shift, role
        press(duty.ids.save)
    press(find_button(duty.ids.roster, "签到"))
    shown = " ".join(w.text for w in duty.ids.roster.walk() if hasattr(w, "text"))
    assert "在岗" in shown and "未签到" in shown


def home_again(app):
    app.go_home()
    home = screen(app, "home")
    on_duty = " ".join(w.text for w in home.ids.duty.children)
    assert "李建国" in on_duty and "在岗" in on_duty
    assert "王秀英" in " ".join(getattr(w, "title", "") for w in home.ids.board.children)


def sync_without_hub(app):
    press(app.shell.ids.topbar.ids.sync_button)
    app._sync_thread.join(timeout=20)


def sync_error_shown(app):
    assert "登记" in app.sync_error           # said in Chinese, in the red strip
    assert app.shell.ids.sync_error_strip.height > 0


# runs ---------------------------------------------------------------------------------------------
@pytest.fixture
def village(tmp_path: Path) -> Path:
    return make_station(tmp_path / "station", cadres=(("李建国", "村委委员"), ("王芳", "代办员")))


def test_tablet_sign_in_intake_ledger_escalate(kivy_app, village: Path) -> None:
    with window(1280, 800):
        run_screens(kivy_app, _app(village), [
            ("wrong-pin", wrong_pin, ids("signin", "pick_title")),
            ("home-first", sign_in("李建国"), ids("home", "hello")),
            ("intake", fill_intake, ids("intake", "title")),
            ("intake-materials", intake_materials, None),
            ("receipt", save_intake, ids("intake", "done_title")),
            ("ledger", open_ledger, ids("ledger", "title")),
            ("case", open_case, ids("case", "actions_title")),
            ("escalate-form", escalate_form, None),
            ("escalated", escalate, ids("case", "actions_title")),
            ("visits", log_visit, ids("visits", "title")),
            ("duty", schedule_and_check_in, ids("duty", "title")),
            ("home", home_again, ids("home", "hello")),
        ], name="tablet", start_probe=ids("signin", "pick_title"))
    station = unlocked(village)
    try:
        conn = station.store.conn
        assert conn.execute("SELECT applicant, status FROM cases").fetchall() == [
            ("王秀英", "escalated")]
        assert conn.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 1
        authors = {a for (a,) in conn.execute("SELECT author FROM events WHERE kind='svc_case'")}
        assert authors == {cadre(station, "李建国").id}   # every event carries its author
    finally:
        station.close()


def test_phone_portrait_sign_in_intake_ledger_escalate(kivy_app, village: Path) -> None:
    """720×1280 pixels at density 1.8: a 400×711 dp phone held upright."""
    with window(720, 1280, density=1.8):
        run_screens(kivy_app, _app(village), [
            ("home", sign_in("王芳"), ids("home", "hello")),
            ("intake", fill_intake, ids("intake", "title")),
            ("receipt", save_intake, ids("intake", "done_title")),
            ("ledger", open_ledger, ids("ledger", "title")),
            ("case", open_case, ids("case", "actions_title")),
            ("escalate-form", escalate_form, None),
            ("escalated", escalate, ids("case", "actions_title")),
            ("visits", log_visit, ids("visits", "title")),
            ("duty", schedule_and_check_in, ids("duty", "title")),
            ("sync", sync_without_hub, None),
            ("sync-error", sync_error_shown, None),
        ], name="phone", start_probe=ids("signin", "pick_title"))
