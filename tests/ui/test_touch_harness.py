"""The touch harness (tests/ui/touch.py) on small apps: it taps, types and scrolls like a
person, and its sweep fails where a hidden part lies over a visible control (the bug of
issue #8 §1) and passes once the part is folded away with ShownBehavior."""
from __future__ import annotations

import pytest

from tests.ui.touch import TouchError, touch_app


def _page(old_style_hidden: bool):
    """A page: 保存, a hidden optional part after it, a long empty stretch, then 最后.

    old_style_hidden: the part is hidden the way the screens used to (height 0, opacity 0,
    disabled): a box lays its children out upwards from its bottom, so they keep their
    size and lie over 保存, and being later in the tree they are offered the touch first."""
    from kivy.app import App
    from kivy.lang import Builder

    import app.ui.widgets  # noqa: F401  (the kv rules)

    hidden = ("BoxLayout:\n            orientation: 'vertical'\n"
              "            size_hint_y: None\n            height: 0\n"
              "            opacity: 0\n            disabled: True"
              if old_style_hidden else "Fold:\n            shown: False")
    kv = f"""
PageScroll:
    PageBody:
        Field:
            id: name
            label: "姓名"
        ChoiceRow:
            id: sex
            options: ["男", "女"]
        BigButton:
            id: save
            text: "保存"
            on_release: app.pressed.append("保存")
        {hidden}
            BoxLayout:
                size_hint_y: None
                height: dp(300)
                Field:
                    label: "住址"
        BoxLayout:
            orientation: "vertical"
            size_hint_y: None
            height: dp(1600)
        BigButton:
            id: last
            text: "最后"
            on_release: app.pressed.append("最后")
"""

    from kivy.properties import BooleanProperty

    class Page(App):
        pressed: list = []
        narrow = BooleanProperty(True)     # laid out as on a phone (app.ui rules read it)

        def build(self):
            self.pressed = []
            root = Builder.load_string(kv)
            self.shell = root
            return root

    return Page()


def test_taps_type_and_scroll_like_a_finger(tmp_path) -> None:
    with touch_app(_page(old_style_hidden=False), "phone", name="harness-fold",
                   artifacts=tmp_path) as ui:
        ui.fill("姓名", "王秀英")
        assert ui.app.root.ids.name.text == "王秀英"
        ui.fill("姓名", "张堃")                         # Ctrl+A, Backspace, then typed
        assert ui.app.root.ids.name.text == "张堃"
        ui.tap("女")
        assert ui.app.root.ids.sex.value == "女"
        ui.done_typing()
        assert ui.focused() is None
        ui.tap("保存")
        scroll = ui.app.root
        assert scroll.scroll_y == 1
        ui.tap("最后")                                  # far below: dragged into view
        assert ui.app.pressed == ["保存", "最后"]
        assert scroll.scroll_y < 0.2
        assert ui.sweep("bottom") > 100                 # and the sweep finds nothing wrong


def test_sweep_and_tap_catch_a_hidden_part_lying_over_a_button(tmp_path) -> None:
    with touch_app(_page(old_style_hidden=True), "phone", name="harness-old-style",
                   artifacts=tmp_path) as ui:
        with pytest.raises(TouchError, match="保存.*went to"):
            ui.tap("保存")
        assert ui.app.pressed == []
        with pytest.raises(TouchError, match="BigButton '保存'.*went to BoxLayout"):
            ui.sweep("old-style")
