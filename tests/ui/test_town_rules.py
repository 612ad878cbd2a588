"""镇里设置 in the station app, by touch: at the town center a cadre changes a matter's time
limit (the 依据 is required), and marks the 2027 holidays on the calendar (the statutory
days are marked already; saving without a 依据 is refused first); on a phone too; a village
tablet has no 镇里设置 tile.

Screenshots: test-artifacts/town-rules-<nn>-<screen>.png."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from app.services.rules import load_rules
from tests.ui.flows import current, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import make_station
from tests.ui.touch import plain, touch_app


def open_rules(ui) -> None:
    sign_in(ui, "赵红梅")
    ui.tap("镇里设置")
    assert current(ui) == "rules"
    ui.shot("rules", title("rules"))


def time_limit(ui) -> None:
    rules = screen(ui.app, "rules")
    first = load_rules(ui.app.conn).catalog.active_matters()[0]
    ui.tap(first["name"], within=rules.ids.matters)
    assert rules.code == first["code"]
    ui.fill("办理时限", "5")
    ui.tap("保存时限")                               # no 依据: refused, said under the field
    assert "依据" in rules.ids.reason.error
    ui.fill("依据", "县政府办〔2026〕12号")
    ui.tap("保存时限")
    assert "5 个工作日" in ui.app.message.replace("\xa0", " "), (
        ui.app.message, rules.ids.matter_error.text)
    assert load_rules(ui.app.conn).catalog.matter(first["code"])["time_limit_working_days"] == 5
    ui.shot("time-limit", title("rules"))


def day_button(rules, day: date):
    """The calendar's button for ``day`` (read from the tree only to aim the finger)."""
    from app.ui.holiday_calendar import DayButton
    return next(b for b in rules.ids.calendar.ids.days.children
                if isinstance(b, DayButton) and b.day == day)


def holidays(ui) -> None:
    rules = screen(ui.app, "rules")
    ui.tap("节假日安排")
    assert rules.year == "2027"
    assert "2027年" in rules.ids.uncovered.text and "暂定" in rules.ids.uncovered.text
    calendar = rules.ids.calendar
    assert calendar.title == "2027年1月"
    new_year = day_button(rules, date(2027, 1, 1))          # 元旦: statutory, marked, fixed
    assert (new_year.mark, new_year.disabled) == ("法定节假日", True)
    ui.tap("下月 ›", within=calendar)
    assert calendar.title == "2027年2月"
    for day in (9, 10, 11):                                 # weekdays after 春节: 放假
        ui.tap(day_button(rules, date(2027, 2, day)))
    ui.tap(day_button(rules, date(2027, 2, 20)))            # a Saturday worked: 调休上班
    assert day_button(rules, date(2027, 2, 20)).mark == "调休上班"
    marked = plain(rules.ids.marked.text)
    assert "2月：放假 9日、10日、11日；调休上班 20日" in marked, marked
    assert "春节 2月5日、2月6日、2月7日、2月8日" in marked, marked
    ui.tap("保存 2027 年节假日安排")                        # no 依据 yet: refused
    assert "依据" in rules.ids.holiday_error.text
    ui.shot("holidays-wrong", title("rules"))
    ui.fill("第三步：写明依据", "《国务院办公厅关于2027年部分节假日安排的通知》")
    ui.tap("保存 2027 年节假日安排")
    assert not rules.ids.holiday_error.text, rules.ids.holiday_error.text
    assert "2027 年" in plain(ui.app.message)
    saved = load_rules(ui.app.conn).calendar
    assert saved.source(2027) == "town" and saved.missing_holidays(2027) == []
    assert saved.classify(date(2027, 2, 20)) == (True, False)
    assert saved.classify(date(2027, 2, 10)) == (False, False)
    assert saved.classify(date(2027, 3, 10)) == (True, False)    # final, not 暂定
    assert "2027年" in rules.ids.covered.text and "2027年" not in rules.ids.uncovered.text
    ui.shot("holidays-saved", title("rules"))


def _town(tmp_path: Path) -> Path:
    return make_station(tmp_path / "town", name="新集镇便民服务中心", kind="town",
                        short_code="XJ000", cadres=(("赵红梅", "便民服务中心主任", ("settings",)),))


def test_town_sets_time_limit_and_2027_holidays(tmp_path: Path) -> None:
    with touch_app(station_app(_town(tmp_path)), "tablet", name="town-rules") as ui:
        open_rules(ui)
        time_limit(ui)
        holidays(ui)


def test_town_rules_phone_and_village_has_no_tile(tmp_path: Path) -> None:
    with touch_app(station_app(_town(tmp_path)), "phone", name="town-rules-phone") as ui:
        open_rules(ui)
        time_limit(ui)
    village = make_station(tmp_path / "wangwan")
    with touch_app(station_app(village), "tablet", name="village-no-rules") as ui:
        sign_in(ui, "李建国")
        assert screen(ui.app, "home").rules_tile is None
        assert "镇里设置" not in ui.texts()
        ui.shot("home", title("home", "hello"))
