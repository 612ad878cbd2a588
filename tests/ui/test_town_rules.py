"""镇里设置 in the station app, rendered offscreen: at the town center a cadre changes a
matter's time limit (the 依据 is required), retires nothing, and enters the 2027 holiday
list (a wrong line is said in Chinese first); a village tablet has no 镇里设置 tile.

Screenshots: test-artifacts/town-rules-<nn>-<screen>.png."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from app.services.rules import load_rules
from tests.ui.screens import press, run_screens, screen, window
from tests.domain.calendars import HOLIDAYS_2027
from tests.ui.stations import NOW, PIN, TODAY, make_station, unlocked
from tests.ui.test_disputes import ids, sign_in


def _app(data: Path):
    from app.ui.main import SanjiApp
    return SanjiApp(data, today=lambda: TODAY, now=lambda: NOW, sync_minutes=0)


def open_rules(app):
    home = screen(app, "home")
    assert home.rules_tile is not None
    press(home.rules_tile)
    assert app.shell.screens.current == "rules"


def pick_matter(app):
    rules = screen(app, "rules")
    first = load_rules(app.conn).catalog.active_matters()[0]
    rules.pick(first["code"])
    rules.ids.days.text = "5"
    press(rules.ids.save_limit)                      # no 依据: refused, said under the field
    assert "依据" in rules.ids.reason.error
    rules.ids.reason.text = "县政府办〔2026〕12号"
    press(rules.ids.save_limit)
    assert "5 个工作日" in app.message.replace("\xa0", " "), (app.message, rules.ids.matter_error.text)
    assert load_rules(app.conn).catalog.matter(first["code"])["time_limit_working_days"] == 5
    rules.pick(first["code"])
    rules.ids.scroll.scroll_y = 1


def holidays_form(app):
    rules = screen(app, "rules")
    press(rules.ids.holidays_tab)
    assert rules.year == "2027"
    assert "2027年" in rules.ids.uncovered.text and "暂定" in rules.ids.uncovered.text
    rules.ids.holidays.text = "2027-01-01\n2027-02-06\n2027-2-30\n"
    rules.ids.workdays.text = "2027-02-14"
    rules.ids.holiday_note.text = "《国务院办公厅关于2027年部分节假日安排的通知》"
    press(rules.ids.save_holidays)
    assert "第 3 行" in rules.ids.holiday_error.text.replace("\xa0", " "), rules.ids.holiday_error.text


def save_holidays(app):
    rules = screen(app, "rules")
    rules.ids.holidays.text = "\n".join(HOLIDAYS_2027)   # the whole notice: the year is final
    press(rules.ids.save_holidays)
    assert not rules.ids.holiday_error.text, rules.ids.holiday_error.text
    assert "2027 年" in app.message.replace("\xa0", " ")
    calendar = load_rules(app.conn).calendar
    assert calendar.source(2027) == "town"
    assert calendar.classify(date(2027, 2, 14)) == (True, False)
    assert "2027年" in rules.ids.covered.text and "2027年" not in rules.ids.uncovered.text


def test_town_sets_time_limit_and_2027_holidays(kivy_app, tmp_path: Path) -> None:
    town = make_station(tmp_path / "town", name="新集镇便民服务中心", kind="town",
                        short_code="XJ000", cadres=(("赵红梅", "便民服务中心主任"),))
    with window(1280, 800):
        run_screens(kivy_app, _app(town), [
            ("home", sign_in("赵红梅"), ids("home", "hello")),
            ("rules", open_rules, ids("rules", "title")),
            ("time-limit", pick_matter, ids("rules", "title")),
            ("holidays-wrong", holidays_form, ids("rules", "title")),
            ("holidays-saved", save_holidays, ids("rules", "title")),
        ], name="town-rules", start_probe=ids("signin", "pick_title"))


def test_town_rules_phone_and_village_has_no_tile(kivy_app, tmp_path: Path) -> None:
    town = make_station(tmp_path / "town", name="新集镇便民服务中心", kind="town",
                        short_code="XJ000", cadres=(("赵红梅", "便民服务中心主任"),))
    village = make_station(tmp_path / "wangwan")

    def village_home(app):
        assert screen(app, "home").rules_tile is None
        texts = [t.text for t in screen(app, "home").ids.tiles.children]
        assert "镇里设置" not in texts

    with window(400, 800):
        run_screens(kivy_app, _app(town), [
            ("home", sign_in("赵红梅"), None),
            ("rules", open_rules, ids("rules", "title")),
            ("time-limit", pick_matter, None),
        ], name="town-rules-phone")
    with window(1280, 800):
        run_screens(kivy_app, _app(village), [
            ("home", sign_in("李建国"), ids("home", "hello")),
            ("no-tile", village_home, None),
        ], name="village-no-rules")
    assert PIN
    station = unlocked(town)
    station.close()
