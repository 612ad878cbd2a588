"""矛盾纠纷排查 in the station app, by touch: at 王湾村 (a tablet) a screening with two
findings (a missing type is said first), then at the town (a narrow phone) a screening of
李庄村 with 未发现矛盾纠纷, the schedule showing which villages are due.

Screenshots: test-artifacts/screening-<nn>-<screen>.png."""
from __future__ import annotations

from pathlib import Path

from tests.ui.flows import current, go_home, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import carry, make_station, unlocked
from tests.ui.touch import touch_app


def village_screening(ui) -> None:
    sign_in(ui, "李建国")
    ui.tap("矛盾纠纷")
    ui.tap("排查登记")
    assert current(ui) == "screening"
    s = screen(ui.app, "screening")
    [first] = s.rows()
    ui.fill("简要情况", "张大山与王小河因宅基地边界争吵，张家扬言要拆王家院墙", within=first)
    ui.fill("当事人", "张大山、王小河", within=first)
    ui.tap("高", within=first.ids.risk)
    ui.tap("保存排查记录")
    assert "纠纷类型" in s.ids.error.text, s.ids.error.text
    ui.tap("住宅房屋", within=first.ids.dispute_type)
    ui.tap("＋ 再添一条发现")
    second = s.rows()[1]
    ui.fill("简要情况", "刘建业砖厂拖欠三名村民工钱", within=second)
    ui.tap("劳资", within=second.ids.dispute_type)
    ui.tap("中", within=second.ids.risk)
    ui.fill("排查人员", "李建国、王秀英")
    ui.done_typing()
    ui.shot("screening-filled", title("screening"))
    ui.tap("保存排查记录")
    assert not s.ids.error.text, s.ids.error.text
    assert "发现 2 条" in ui.app.message.replace("\xa0", " ")
    [done] = ui.app.disputes.screenings()
    assert done.village == "王湾村" and done.screeners == ("李建国", "王秀英")
    assert len(done.findings) == 2
    ui.shot("screening-saved", title("screening"))


def town_none_found(ui) -> None:
    sign_in(ui, "赵红梅")
    ui.tap("矛盾纠纷")
    ui.tap("排查登记")
    s = screen(ui.app, "screening")
    assert s.town_level and "李庄村" in s.ids.village.options
    ui.tap("李庄村", within=s.ids.village)
    ui.tap("未发现矛盾纠纷")
    assert s.none_found
    ui.shot("screening", title("screening"))
    ui.tap("保存排查记录")
    assert not s.ids.error.text, s.ids.error.text
    [done] = ui.app.disputes.screenings("李庄村")
    assert done.findings == ()
    schedule = ui.texts(s.ids.schedule)
    assert "王湾村" in schedule and "尚未" in schedule, schedule
    ui.shot("screening-saved", title("screening"))
    go_home(ui)


def test_screening_village_and_town(tmp_path: Path) -> None:
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
    with touch_app(station_app(village), "tablet", name="screening-village") as ui:
        village_screening(ui)
    with touch_app(station_app(town), "phone", name="screening-town-phone") as ui:
        town_none_found(ui)
