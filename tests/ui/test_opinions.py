"""双联三解的民意台账 on a village tablet, rendered offscreen: a cadre records what an old
woman said on a 联系 visit, sorts it as a 民生诉求 to be handled as a service case, turns
it into a case through the real intake, and answers her back — the screens in Chinese,
each form present only while it is open."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.screens import find_button, press, run_screens, screen, window
from tests.ui.stations import make_station, unlocked
from tests.ui.test_disputes import _app, ids, sign_in, texts


@pytest.fixture
def village(tmp_path: Path) -> Path:
    return make_station(tmp_path / "wangwan", cadres=(("李建国", "村委委员"),))


def record(app):
    sign_in("李建国")(app)
    press(screen(app, "home").opinions_tile)
    ledger = screen(app, "opinions")
    assert not ledger.ids.new_slot.children          # no form until asked for
    press(ledger.ids.new_button)
    inputs = ledger.card.form.inputs
    inputs["name"].text = "王秀英"
    inputs["phone"].text = "13812345678"
    inputs["group"].text = "三组"
    inputs["content"].text = "老伴今年满60岁了，想问养老金怎么领，腿脚不便去不了镇里"


def recorded(app):
    ledger = screen(app, "opinions")
    press(ledger.card.save_button)
    assert not ledger.writing, ledger.card.error.text if ledger.card else ""
    assert "已记入民意台账（王湾村民2026-001）" in app.message
    [row] = [w for w in ledger.ids.rows.children]
    assert "王秀英" in row.title and "待梳理" in row.title
    press(row)


def sort(app):
    item = screen(app, "opinion")
    assert "老伴今年满60岁了" in texts(item.ids.facts)
    press(find_button(item.ids.actions, "梳理民情"))
    item.card.form.inputs["category"].value = "民生诉求"
    item.card.form.inputs["route"].value = "转为便民服务事项"
    press(item.card.save_button)
    assert item.state.route == "case", item.card.error.text if item.card else ""
    press(find_button(item.ids.actions, "转为便民服务事项"))
    matters = item.card.form.inputs["matter"]
    matters.value = next(m for m in matters.options if "SB-002" in m)
    assert item.card.form.inputs["phone"].text == "13812345678"


def routed(app):
    item = screen(app, "opinion")
    press(item.card.save_button)
    assert item.state.status == "routed", item.card.error.text if item.card else ""
    assert "已受理" in texts(item.ids.facts)          # the case it became, as it stands
    press(find_button(item.ids.actions, "反馈结果"))
    form = item.card.form.inputs
    form["method"].value = "上门"
    form["answer"].text = "已在村便民服务站代办养老金领取申请，回执已交给她"
    form["level"].value = "满意"


def answered(app):
    item = screen(app, "opinion")
    press(item.card.save_button)
    assert item.state.status == "answered", item.card.error.text if item.card else ""
    assert "已反馈群众" in item.ids.status.text and not item.ids.form_slot.children


def test_village_cadre_records_routes_and_answers_back(kivy_app, village: Path) -> None:
    with window(1280, 800):
        run_screens(kivy_app, _app(village), [
            ("opinion-form", record, ids("opinions", "title")),
            ("opinion-recorded", recorded, ids("opinion", "actions_title")),
            ("opinion-route-form", sort, None),
            ("opinion-routed", routed, None),
            ("opinion-answered", answered, ids("opinion", "actions_title")),
        ], name="opinions-village", start_probe=ids("signin", "pick_title"))
    station = unlocked(village)
    try:
        kinds = [k for (k,) in station.store.conn.execute(
            "SELECT type FROM events WHERE kind IN ('opinion','svc_case') ORDER BY rseq")]
        assert kinds == ["opinion.collected", "opinion.sorted", "svc.accepted",
                         "opinion.routed", "opinion.answered"]
    finally:
        station.close()
