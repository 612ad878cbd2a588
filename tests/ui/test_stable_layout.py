"""The layout never jumps under the finger (issue #8 §1): a wrong password, a field's
error line, a form's errors after 保存, a message in the status line, a failed sync and
the status read in full — none of them moves a single button or text box on the screen.

Each case notes where every visible control is, does the thing by touch, and compares."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.flows import go_home, sign_in, station_app
from tests.ui.screens import screen
from tests.ui.stations import make_station
from tests.ui.touch import _CONTROLS, describe, touch_app, window_rect


def where_controls_are(ui) -> dict[int, tuple]:
    return {id(w): (w, tuple(round(v, 1) for v in window_rect(w)))
            for w in ui.candidates() if isinstance(w, _CONTROLS())}


def assert_nothing_moved(ui, before: dict[int, tuple], what: str) -> None:
    after = where_controls_are(ui)
    moved = [f"{describe(widget)} {rect} → {after[key][1]}"
             for key, (widget, rect) in before.items()
             if key in after and after[key][1] != rect]
    gone = [describe(widget) for key, (widget, _) in before.items() if key not in after]
    assert not moved and not gone, f"{what}: moved {moved}, gone {gone}"


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_messages_and_errors_take_no_room_from_the_controls(tmp_path: Path, size: str) -> None:
    data = make_station(tmp_path / "wangwan", cadres=(("李建国", "村委委员"), ("王芳", "代办员")))
    with touch_app(station_app(data), size, name=f"stable-{size}", sweep=False) as ui:
        signin = screen(ui.app, "signin")
        ui.tap("李建国", within=signin.ids.cadres)
        ui.tap_keys("139702", within=signin.ids.keypad)
        ui.scroll_into_view(signin.ids.login)
        before = where_controls_are(ui)
        ui.tap("登录")
        assert "不对" in signin.ids.pin_error.text
        assert_nothing_moved(ui, before, "a wrong password")
        ui.shot("wrong-password")

        sign_in(ui, "李建国")
        ui.tap("受理办事")
        ui.fill("联系电话", "1381234567")
        id_box = ui.field("身份证号")
        ui.scroll_into_view(id_box)                  # (a drag: the phone box keeps the keyboard)
        before = where_controls_are(ui)
        ui.tap(id_box)                               # leaving the phone box: checked
        assert screen(ui.app, "intake").ids.phone.error
        assert_nothing_moved(ui, before, "a field's error line")
        ui.shot("field-error")

        go_home(ui)
        ui.tap("来访登记")
        visits = screen(ui.app, "visits")
        ui.scroll_into_view(visits.ids.save)
        before = where_controls_are(ui)
        ui.tap("保存来访记录")                       # nothing filled in
        assert visits.ids.name.error and visits.ids.error.text
        assert_nothing_moved(ui, before, "a form's errors after 保存")
        ui.shot("form-errors")

        before = where_controls_are(ui)
        ui.tap("同步")                               # not enrolled: fails, said in red
        ui.until(lambda: not ui.app.syncing, what="the sync round")
        assert ui.app.sync_error
        assert_nothing_moved(ui, before, "a failed sync")
        ui.shot("sync-error")

        ui.fill("来访人姓名", "赵大爷")
        ui.fill("来访事由", "咨询高龄津贴怎么申请")
        ui.scroll_into_view(visits.ids.save)
        ui.tap("保存来访记录")
        assert ui.app.message
        before = where_controls_are(ui)
        ui.advance(10)                               # the message goes away by itself
        assert not ui.app.message
        assert_nothing_moved(ui, before, "a message coming and going")

        before = where_controls_are(ui)
        ui.tap(ui.app.shell.ids.sync_strip.ids.sync_label)   # the status, in full, over the page
        assert ui.app.detail
        ui.shot("detail")                            # the sweep: the panel takes its taps
        ui.tap(ui.app.shell.ids.detail_panel)
        assert not ui.app.detail
        assert_nothing_moved(ui, before, "the status read in full")
