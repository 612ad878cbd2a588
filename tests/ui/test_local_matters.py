"""A village's own matter and the town's overview, by touch (issue #8 §3, on the harness of
§1), at tablet and phone size: the village cadre finds 申请增加本村事项 under the intake's
categories and fills the whole one-time notice (a missing field is said first); the town's
中心主任 sees it in the inbox card on top of the home screen, refuses to decide without an
opinion, approves it; back at the village it is offered in the intake (only there). Then
镇里概况 for 上月, printed through the 打印 dialog (kept as a PDF).

Village data reaches the town the way a hub relays it (events carried in-process).
Screenshots: test-artifacts/local-<village|town>-<tablet|phone>-<nn>-<step>.png."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.flows import current, go_home, keep_without_printing, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import carry, make_station, unlocked
from tests.ui.touch import plain, touch_app

MATTER = "本村公益性岗位报名"


def _places(root: Path) -> tuple[Path, Path]:
    village = make_station(root / "wangwan")
    town = make_station(root / "town", name="新集镇便民服务中心", kind="town", short_code="XJ000",
                        cadres=(("张敏", "便民服务中心主任", ("settings",)),))
    return village, town


def _relay(source: Path, target: Path) -> None:
    from_station, to_station = unlocked(source), unlocked(target)
    try:
        carry(from_station, to_station)
    finally:
        from_station.close()
        to_station.close()


def village_applies(ui) -> None:
    sign_in(ui, "李建国")
    ui.tap("受理办事")
    ui.tap("目录里没有？申请增加本村事项")
    assert current(ui) == "local_matter"
    page = screen(ui.app, "local_matter")
    ui.fill("事项名称", MATTER)
    ui.tap("劳动就业", within=page.ids.body)
    ui.fill("承诺时限", "3")
    ui.fill("时限的依据", "王湾村村民代表会议2026年第2次会议决定")
    ui.fill("办理条件", "本村脱贫户、监测户家庭中有劳动能力的成员")
    ui.done_typing()
    ui.tap("提交给镇里审批")                       # 办理程序, 办理依据 and why: not yet
    assert "办理程序" in page.ids.error.text and "为什么需要" in page.ids.error.text, \
        page.ids.error.text
    ui.shot("missing", title("local_matter"))
    ui.fill("办理程序", "到村便民服务站报名")
    ui.fill("要带的材料", "居民身份证\n户口簿，复印件")
    ui.fill("办理依据", "王湾村村民代表会议决定（2026年第2次会议）")
    ui.fill("为什么需要", "村里新设保洁、护林岗位，群众常来问怎么报名")
    ui.done_typing()
    ui.tap("提交给镇里审批")
    assert not page.ids.error.text, page.ids.error.text
    assert MATTER in plain(ui.app.message)
    assert "等镇里审批" in ui.texts(page.ids.others)
    ui.shot("submitted", title("local_matter"))


def town_approves(ui) -> None:
    sign_in(ui, "张敏")
    inbox = screen(ui.app, "home").ids.inbox
    ui.tap("村里申请的本村事项待审批：1 件", within=inbox)
    page = screen(ui.app, "local_matter")
    ui.tap(f"王湾村 · {MATTER}", within=page.ids.others)
    assert page.record
    ui.shot("review", title("local_matter"))
    ui.tap("批准，加进事项目录", within=page.ids.body)      # no opinion yet: said, nothing written
    assert "写明理由" in page.ids.error.text, page.ids.error.text
    ui.fill("审批意见", "符合本村实际，同意在本村受理")
    ui.done_typing()
    ui.tap("批准，加进事项目录", within=page.ids.body)
    assert "已批准" in plain(ui.app.message), page.ids.error.text
    assert not page.record and "已审批" in ui.texts(page.ids.others)
    ui.shot("approved", title("local_matter"))


def town_overview(ui) -> None:
    go_home(ui)
    ui.tap("镇里概况")
    town = screen(ui.app, "town")
    ui.tap("上月", within=town.ids.period)
    assert town.period == "上月" and "2026年10月1日" in plain(town.ids.range.text), \
        town.ids.range.text
    ui.shot("overview-last-month", title("town"))
    ui.tap("打印", within=town)
    keep_without_printing(ui, "镇里概况")


def village_offers_it(ui) -> None:
    sign_in(ui, "李建国")
    ui.tap("受理办事")
    intake = screen(ui.app, "intake")
    ui.tap("劳动就业", within=intake.ids.category)
    ui.tap(MATTER, within=intake.ids.matters)
    assert intake.matter["only_for"] == [ui.app.station.node_id]     # offered here only
    ui.shot("offered", title("intake"))


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_village_matter_approved_by_the_town_and_overview(tmp_path: Path, size: str) -> None:
    village, town = _places(tmp_path)
    with touch_app(station_app(village), size, name=f"local-village-{size}") as ui:
        village_applies(ui)
    _relay(village, town)
    with touch_app(station_app(town), size, name=f"local-town-{size}") as ui:
        town_approves(ui)
        town_overview(ui)
    prints = list((town / "prints").glob("镇里概况*.pdf"))
    assert len(prints) == 1 and prints[0].read_bytes().startswith(b"%PDF")
    _relay(town, village)
    with touch_app(station_app(village), size, name=f"local-offered-{size}") as ui:
        village_offers_it(ui)
