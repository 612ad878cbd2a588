"""双联三解的民意台账 on a village tablet, by touch: a cadre records what an old woman said
on a 联系 visit, sorts it as a 民生诉求 to be handled as a service case, turns it into a
case through the real intake, and answers her back — the screens in Chinese, each form
present only while it is open."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.flows import fill_form, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import make_station, unlocked
from tests.ui.touch import touch_app


@pytest.fixture
def village(tmp_path: Path) -> Path:
    return make_station(tmp_path / "wangwan", cadres=(("李建国", "村委委员"),))


def test_village_cadre_records_routes_and_answers_back(village: Path) -> None:
    with touch_app(station_app(village), "tablet", name="opinions-village") as ui:
        sign_in(ui, "李建国")
        ui.tap(screen(ui.app, "home").opinions_tile)
        ledger = screen(ui.app, "opinions")
        assert not ledger.ids.new_slot.children          # no form until asked for
        ui.tap(ledger.ids.new_button)
        fill_form(ui, ledger.card.form, name="王秀英", phone="13812345678", group="三组",
                  content="老伴今年满60岁了，想问养老金怎么领，腿脚不便去不了镇里")
        ui.shot("opinion-form", title("opinions"))
        ui.tap(ledger.card.save_button)
        assert not ledger.writing, ledger.card.error.text if ledger.card else ""
        assert "已记入民意台账（王湾村民2026-001）" in ui.app.message
        [row] = list(ledger.ids.rows.children)
        assert "王秀英" in row.title and "待梳理" in row.title
        ui.shot("opinion-recorded", title("opinions"))
        ui.tap(row)

        item = screen(ui.app, "opinion")
        assert "老伴今年满60岁了" in ui.texts(item.ids.facts)
        ui.tap("梳理民情", within=item.ids.actions)
        fill_form(ui, item.card.form, category="民生诉求", route="转为便民服务事项")
        ui.tap(item.card.save_button)
        assert item.state.route == "case", item.card.error.text if item.card else ""
        ui.tap("转为便民服务事项", within=item.ids.actions)
        matters = item.card.form.inputs["matter"]
        ui.tap(next(m for m in matters.options if "SB-002" in m), within=matters)
        assert item.card.form.inputs["phone"].text == "13812345678"
        ui.shot("opinion-route-form")
        ui.tap(item.card.save_button)
        assert item.state.status == "routed", item.card.error.text if item.card else ""
        assert "已受理" in ui.texts(item.ids.facts)      # the case it became, as it stands

        ui.tap("反馈结果", within=item.ids.actions)
        fill_form(ui, item.card.form, method="上门",
                  answer="已在村便民服务站代办养老金领取申请，回执已交给她", level="满意")
        ui.shot("opinion-answer-form")
        ui.tap(item.card.save_button)
        assert item.state.status == "answered", item.card.error.text if item.card else ""
        assert "已反馈群众" in item.ids.status.text and not item.ids.form_slot.children
        ui.shot("opinion-answered", title("opinion", "actions_title"))
    station = unlocked(village)
    try:
        kinds = [k for (k,) in station.store.conn.execute(
            "SELECT type FROM events WHERE kind IN ('opinion','svc_case') ORDER BY rseq")]
        assert kinds == ["opinion.collected", "opinion.sorted", "svc.accepted",
                         "opinion.routed", "opinion.answered"]
    finally:
        station.close()
