"""规则数值 in the town's app, rendered offscreen (issue #10 item 3): every statutory number
shows its legal bound; a value that loosens the law is refused with the bound in the
message and nothing written; a stricter one with its 依据 is saved and shown."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.services.rules import load_rules
from tests.ui.screens import press, run_screens, screen, window
from tests.ui.stations import make_station, unlocked
from tests.ui.test_disputes import ids, sign_in, texts
from tests.ui.test_petitions import _app


@pytest.fixture
def town(tmp_path: Path) -> Path:
    return make_station(tmp_path / "town", name="新集镇信访工作站", kind="town",
                        short_code="XJ010", cadres=(("张敏", "信访办主任"),))


def open_settings(app):
    sign_in("张敏")(app)
    press(screen(app, "home").settings_tile)
    shown = texts(screen(app, "settings").ids.groups)
    assert "法定界限：不得超过60日（镇里可以规定得更短）（信访工作条例（2022年）第三十四条）" in shown, shown
    assert "法定界限：固定为30日：这是信访人的法定权利期间" in shown
    assert "依据：法律法规：信访工作条例（2022年）第三十四条" in shown


def loosen(app):
    settings = screen(app, "settings")
    settings.pick("petition.handling_days")
    assert "法定界限：不得超过60日" in texts(settings.ids.editor)
    settings.value_widget.text = "90"
    settings.note.text = "镇里决定"
    press(settings.save_button)
    assert "超出法定界限" in settings.error.text and "不能放宽" in settings.error.text, \
        settings.error.text


def tighten(app):
    settings = screen(app, "settings")
    settings.value_widget.text = "45"
    settings.note.text = "镇信访联席会议纪要〔2026〕4号"
    press(settings.save_button)
    assert not settings.key, settings.error.text
    assert "已修改“信访事项办理期限" in app.message
    assert "现在：45（镇里改过，默认 60）" in texts(settings.ids.groups)


def test_town_tightens_a_statutory_limit_and_cannot_loosen_it(kivy_app, town: Path) -> None:
    with window(1280, 800):
        run_screens(kivy_app, _app(town), [
            ("settings", open_settings, ids("settings", "title")),
            ("loosen-refused", loosen, ids("settings", "title")),
            ("tightened", tighten, ids("settings", "title")),
        ], name="settings-town", start_probe=ids("signin", "pick_title"))
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
