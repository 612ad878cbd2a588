"""The offscreen harness in conftest.py: steps run in order, errors surface, apps run again."""

from __future__ import annotations

import pytest
from PIL import Image, ImageStat


def _app(text: str):
    from kivy.app import App
    from kivy.uix.label import Label

    class OneLabel(App):
        def build(self):
            return Label(text=text, font_size=60, color=(0, 0, 0, 1))

    return OneLabel()


def _ink(path) -> int:
    """Number of dark pixels."""
    return sum(Image.open(path).convert("L").histogram()[:128])


def test_each_step_gets_its_own_screenshot_of_the_changed_screen(kivy_app):
    def grow(app):
        app.root.text = "村民委员会便民服务站"

    first, second = kivy_app.run(_app("村"), steps=[grow])
    assert first.name.endswith("-0.png") and second.name.endswith("-1.png")
    assert _ink(second) > 3 * _ink(first), "the second screenshot should show the longer text"


def test_a_failing_step_is_raised_and_the_next_app_still_renders(kivy_app):
    def boom(app):
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError, match="step failed"):
        kivy_app.run(_app("调解"), steps=[boom])

    [shot] = kivy_app.run(_app("调解"))
    assert ImageStat.Stat(Image.open(shot).convert("L")).stddev[0] > 10
