"""镇里设置 → 文书和电话, by touch: the town enters its phones, the status page address and
the 转办函's 机关代字; a wrong value is refused beside its field, nothing of it saved. A
village has no way to it (no 镇里设置 tile)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.services.printing import paper_settings_missing
from app.services.rules import load_rules
from tests.ui.flows import current, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import make_station, unlocked
from tests.ui.touch import touch_app

pytestmark = pytest.mark.slow


def test_the_town_sets_what_its_papers_need(tmp_path: Path) -> None:
    path = make_station(tmp_path / "town", "新集镇便民服务中心", "town", "XJ009",
                        (("张敏", "便民服务中心主任"),), papers=False)
    with touch_app(station_app(path), "tablet", name="paper-settings") as ui:
        sign_in(ui, "张敏")
        ui.tap("镇里设置")
        ui.tap("文书和电话")
        page = screen(ui.app, "paper_settings")
        assert current(ui) == "paper_settings"
        assert "还没有设置" in page.ids.summary.text and "群众查询办理进度的网址" in page.ids.summary.text
        ui.shot("settings", title("paper_settings"))

        ui.fill(page._phones["town_service_center"], "0376-29881")
        ui.fill("查询网址", "xinji.gov.cn")
        ui.fill("机关代字", "新集便民转〔")
        ui.tap("保存")
        assert "请核对" in page._phones["town_service_center"].error      # check_phone's message
        assert "http://" in page.ids.status_url.error and "机关代字" in page.ids.letter_code.error
        assert "有几项没有保存" in page.ids.error.text
        ui.shot("wrong")

        ui.fill(page._phones["town_service_center"], "0376-2988123")
        ui.fill(page._phones["town_discipline"], "0376-2988125")
        ui.fill("查询网址", "https://xinji.example.gov.cn/status")
        ui.fill("机关代字", "新集便民转")
        ui.tap("保存")
        assert page.ids.error.text == "", page.ids.error.text
        assert "已保存 4 项" in ui.app.message
        rules = load_rules(ui.app.conn)
        assert paper_settings_missing(rules, ["town_service_center", "town_discipline"],
                                      status_url=True, letter_code=True) == []
        assert rules.catalog.phone_text("town_discipline") == "镇纪委 0376-2988125"
        assert "发文字号示例：新集便民转〔2026〕1号" in ui.texts(page)
        ui.shot("saved", title("paper_settings"))
    station = unlocked(path)
    try:
        assert load_rules(station.store.conn).config.value("papers.letter_code") == "新集便民转"
    finally:
        station.close()


def test_a_village_has_no_way_to_the_towns_paper_settings(tmp_path: Path) -> None:
    with touch_app(station_app(make_station(tmp_path / "village")), "phone",
                   name="paper-settings-village") as ui:
        sign_in(ui, "李建国")
        assert "镇里设置" not in ui.texts() and "文书和电话" not in ui.texts()
        ui.shot("home", title("home", "hello"))
