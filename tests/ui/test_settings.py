"""规则数值 in the town's app, by touch (issue #10 item 3): every statutory number shows its
legal bound; a value that loosens the law is refused with the bound in the message and
nothing written; a stricter one with its 依据 is saved and shown."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.services.rules import load_rules
from tests.ui.flows import sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import make_station, unlocked
from tests.ui.touch import touch_app


@pytest.fixture
def town(tmp_path: Path) -> Path:
    return make_station(tmp_path / "town", name="新集镇信访工作站", kind="town",
                        short_code="XJ010", cadres=(("张敏", "信访办主任"),))


def test_town_tightens_a_statutory_limit_and_cannot_loosen_it(town: Path) -> None:
    with touch_app(station_app(town), "tablet", name="settings-town") as ui:
        sign_in(ui, "张敏")
        ui.tap(screen(ui.app, "home").settings_tile)
        settings = screen(ui.app, "settings")
        shown = ui.texts(settings.ids.groups)
        assert "法定界限：不得超过60日（镇里可以规定得更短）（信访工作条例（2022年）第三十四条）" in shown, shown
        assert "法定界限：固定为30日：这是信访人的法定权利期间" in shown
        assert "依据：法律法规：信访工作条例（2022年）第三十四条" in shown
        ui.shot("settings", title("settings"))

        row = next(w for w in settings.ids.groups.walk(restrict=True)
                   if getattr(w, "key", "") == "petition.handling_days")
        ui.tap(row)
        assert "法定界限：不得超过60日" in ui.texts(settings.ids.editor)
        ui.fill(settings.value_widget, "90")
        ui.fill(settings.note, "镇里决定")
        ui.tap(settings.save_button)
        assert "超出法定界限" in settings.error.text and "不能放宽" in settings.error.text, \
            settings.error.text
        ui.shot("loosen-refused")

        ui.fill(settings.value_widget, "45")
        ui.fill(settings.note, "镇信访联席会议纪要〔2026〕4号")
        ui.tap(settings.save_button)
        assert not settings.key, settings.error.text
        assert "已修改“信访事项办理期限" in ui.app.message
        assert "现在：45（镇里改过，默认 60）" in ui.texts(settings.ids.groups)
        ui.shot("tightened", title("settings"))
    station = unlocked(town)
    try:
        config = load_rules(station.store.conn).config
        assert config.value("petition.handling_days") == 45
        assert config.source("petition.handling_days") == "镇信访联席会议纪要〔2026〕4号"
        assert station.store.conn.execute(       # the refused 90 days wrote nothing
            "SELECT COUNT(*) FROM events WHERE type='config.set'"
            " AND json_extract(payload, '$.key')='petition.handling_days'").fetchone() == (1,)
    finally:
        station.close()
