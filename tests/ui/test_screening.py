"""矛盾纠纷排查 in the station app, rendered offscreen: at 王湾村 a screening with two
findings (a missing type is said first), then at the town a screening of 李庄村 with
未发现矛盾纠纷, the schedule showing which villages are due.

Screenshots: test-artifacts/screening-<nn>-<screen>.png."""
from __future__ import annotations

from pathlib import Path

from tests.ui.screens import find_button, press, run_screens, screen, window
from tests.ui.stations import NOW, TODAY, carry, make_station, unlocked
from tests.ui.test_disputes import ids, sign_in


def _app(data: Path):
    from app.ui.main import SanjiApp
    return SanjiApp(data, today=lambda: TODAY, now=lambda: NOW, sync_minutes=0)


def open_screening(app):
    app.go("disputes")
    press(find_button(screen(app, "disputes"), "排查登记"))
    assert app.shell.screens.current == "screening"


def fill_village(app):
    s = screen(app, "screening")
    [first] = s.rows()
    first.ids.summary.text = "张大山与王小河因宅基地边界争吵，张家扬言要拆王家院墙"
    first.ids.parties.text = "张大山、王小河"
    first.ids.risk.value = "高"
    press(s.ids.save)
    assert "纠纷类型" in s.ids.error.text, s.ids.error.text
    first.ids.dispute_type.value = "住宅房屋"
    press(s.ids.add_finding)
    second = s.rows()[1]
    second.ids.summary.text = "刘建业砖厂拖欠三名村民工钱"
    second.ids.dispute_type.value = "劳资"
    second.ids.risk.value = "中"
    s.ids.screeners.text = "李建国、王秀英"


def save_village(app):
    s = screen(app, "screening")
    press(s.ids.save)
    assert not s.ids.error.text, s.ids.error.text
    assert "发现 2 条" in app.message.replace("\xa0", " ")
    [done] = app.disputes.screenings()
    assert done.village == "王湾村" and done.screeners == ("李建国", "王秀英")
    assert len(done.findings) == 2


def town_none_found(app):
    app.go("screening")
    s = screen(app, "screening")
    assert s.town_level and "李庄村" in s.ids.village.options
    s.ids.village.value = "李庄村"
    press(s.ids.none_found)
    assert s.none_found


def town_saved(app):
    s = screen(app, "screening")
    press(s.ids.save)
    assert not s.ids.error.text, s.ids.error.text
    [done] = app.disputes.screenings("李庄村")
    assert done.findings == ()
    schedule = " ".join(b.text for b in s.ids.schedule.children)
    assert "王湾村" in schedule and "尚未" in schedule, schedule


def test_screening_village_and_town(kivy_app, tmp_path: Path) -> None:
    village = make_station(tmp_path / "wangwan", cadres=(("李建国", "调解委员会主任"),))
    town = make_station(tmp_path / "town", name="新集镇便民服务中心", kind="town",
                        short_code="XJ000", cadres=(("赵红梅", "综治中心主任"),))
    lizhuang = make_station(tmp_path / "lizhuang", name="李庄村", short_code="XJ002")
    target = unlocked(town)
    try:
        for path in (village, lizhuang):
            source = unlocked(path)
            carry(source, target)
            source.close()
    finally:
        target.close()
    with window(1280, 800):
        run_screens(kivy_app, _app(village), [
            ("home", sign_in("李建国"), None),
            ("screening", open_screening, ids("screening", "title")),
            ("screening-filled", fill_village, None),
            ("screening-saved", save_village, ids("screening", "title")),
        ], name="screening-village")
    with window(400, 800):
        run_screens(kivy_app, _app(town), [
            ("home", sign_in("赵红梅"), None),
            ("screening", town_none_found, ids("screening", "title")),
            ("screening-saved", town_saved, ids("screening", "title")),
        ], name="screening-town-phone")
