"""镇里设置 → 文书和电话: the town enters its phones, the status page address and the
转办函's 机关代字; a wrong value is refused beside its field, nothing of it saved; the
village sees the screen but cannot change it."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.services.printing import paper_settings_missing
from app.services.rules import load_rules
from tests.ui.screens import press, run_screens, screen, window
from tests.ui.stations import make_station, unlocked
from tests.ui.test_disputes import _app, ids, sign_in

pytestmark = pytest.mark.slow


def open_settings(app):
    app.go("rules")
    press(screen(app, "rules").ids.papers_button)
    page = screen(app, "paper_settings")
    assert app.shell.screens.current == "paper_settings"
    assert "还没有设置" in page.ids.summary.text and "群众查询办理进度的网址" in page.ids.summary.text
    assert not page.ids.editor.disabled


def wrong_values(app):
    page = screen(app, "paper_settings")
    page._phones["town_service_center"].text = "0376-29881"
    page.ids.status_url.text = "xinji.gov.cn"
    page.ids.letter_code.text = "新集便民转〔"
    press(page.ids.save)
    assert "请核对" in page._phones["town_service_center"].error      # check_phone's message
    assert "http://" in page.ids.status_url.error and "机关代字" in page.ids.letter_code.error
    assert "有几项没有保存" in page.ids.error.text


def right_values(app):
    page = screen(app, "paper_settings")
    page._phones["town_service_center"].text = "0376-2988123"
    page._phones["town_discipline"].text = "0376-2988125"
    page.ids.status_url.text = "https://xinji.example.gov.cn/status"
    page.ids.letter_code.text = "新集便民转"
    press(page.ids.save)
    assert page.ids.error.text == "", page.ids.error.text
    assert "已保存 4 项" in app.message
    rules = load_rules(app.conn)
    assert paper_settings_missing(rules, ["town_service_center", "town_discipline"],
                                  status_url=True, letter_code=True) == []
    assert rules.catalog.phone_text("town_discipline") == "镇纪委 0376-2988125"
    assert any("发文字号示例：新集便民转〔2026〕1号" in w.text
               for w in page.walk(restrict=True) if hasattr(w, "text"))


def test_the_town_sets_what_its_papers_need(kivy_app, tmp_path: Path) -> None:
    path = make_station(tmp_path / "town", "新集镇便民服务中心", "town", "XJ009",
                        (("张敏", "便民服务中心主任"),), papers=False)
    with window(1280, 800):
        run_screens(kivy_app, _app(path), [
            ("signed-in", sign_in("张敏"), ids("home", "hello")),
            ("settings", open_settings, ids("paper_settings", "title")),
            ("wrong", wrong_values, None),
            ("saved", right_values, None),
        ], name="paper-settings", start_probe=ids("signin", "pick_title"))
    station = unlocked(path)
    try:
        assert load_rules(station.store.conn).config.value("papers.letter_code") == "新集便民转"
    finally:
        station.close()


def test_a_village_sees_the_settings_but_cannot_change_them(kivy_app, tmp_path: Path) -> None:
    path = make_station(tmp_path / "village")

    def look(app):
        app.go("paper_settings")
        page = screen(app, "paper_settings")
        assert page.ids.editor.disabled and "村里不能修改" in page.ids.summary.text

    with window(720, 1280):
        run_screens(kivy_app, _app(path), [
            ("signed-in", sign_in("李建国"), ids("home", "hello")),
            ("village", look, ids("paper_settings", "title")),
        ], name="paper-settings-village", start_probe=ids("signin", "pick_title"))


