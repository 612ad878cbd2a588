"""Chinese text renders in the real Kivy app: the bundled font draws 堃喆赟, not empty boxes.

Tofu detection without a reference image: a font that lacks a character draws its .notdef box,
and every missing character gets the *same* box. So glyphs of distinct characters must differ
from each other and from our font's own .notdef box; Kivy's stock Roboto, which has no Chinese,
is the control that shows the check would catch tofu.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import pytest
from PIL import Image, ImageChops, ImageStat

HEADLINE = "调解协议书：张堃喆赟 ①→★✓"
NAMES = "张堃喆赟"  # 堃喆赟: name characters outside GB2312, the reason for the full subset
MISSING = "\u2717"  # ✗ is not in Noto Sans CJK: our font draws its .notdef box for it
GLYPH_SIZE = 64


def _build_root(labels: dict[str, list]):
    from kivy.resources import resource_find
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.label import Label

    stock_roboto = resource_find("data/fonts/Roboto-Regular.ttf")
    black = (0, 0, 0, 1)
    root = BoxLayout(orientation="vertical", padding=10, spacing=10)
    root.add_widget(Label(text=HEADLINE, font_size=44, color=black))

    def row(key: str, text: str, **font) -> None:
        box = BoxLayout(orientation="horizontal", spacing=10)
        for char in text:
            label = Label(text=char, font_size=GLYPH_SIZE, color=black, **font)
            labels.setdefault(key, []).append(label)
            box.add_widget(label)
        root.add_widget(box)

    row("cjk", NAMES + MISSING)  # the default font, i.e. ours
    row("stock", NAMES, font_name=stock_roboto)
    return root


def _make_app(labels: dict[str, list]):
    from kivy.app import App

    class FontApp(App):
        title = "Sanji font check"

        def build(self):
            return _build_root(labels)

    return FontApp()


def _ink(shot: Image.Image, label, scale: float) -> Image.Image:
    """The label's area of the screenshot as a 1-bit ink mask, cropped to the ink."""
    x, y = label.to_window(*label.pos)
    left, right = int(x * scale), int((x + label.width) * scale)
    # Kivy's y axis points up, the PNG's down.
    top = int(shot.height - (y + label.height) * scale)
    bottom = int(shot.height - y * scale)
    gray = shot.crop((left, top, right, bottom)).convert("L")
    mask = gray.point(lambda v: 255 if v < 128 else 0, mode="1")
    bbox = mask.getbbox()
    assert bbox is not None, f"no ink at all where {label.text!r} should be"
    return mask.crop(bbox)


def _difference(a: Image.Image, b: Image.Image) -> float:
    """Share of ink pixels that differ when both glyphs are laid on a common canvas."""
    size = (max(a.width, b.width), max(a.height, b.height))
    canvas_a, canvas_b = Image.new("1", size), Image.new("1", size)
    canvas_a.paste(a, (0, 0))
    canvas_b.paste(b, (0, 0))
    differing = ImageChops.logical_xor(canvas_a, canvas_b).histogram()[255]
    union = ImageChops.logical_or(canvas_a, canvas_b).histogram()[255]
    return differing / union


def _pairs(items: list) -> Iterable[tuple[int, int]]:
    return ((i, j) for i in range(len(items)) for j in range(i + 1, len(items)))


@pytest.fixture
def rendered(kivy_app):
    labels: dict[str, list] = {}
    from kivy.core.window import Window

    [shot_path] = kivy_app.run(_make_app(labels))
    shot = Image.open(shot_path)
    shot.load()
    scale = shot.width / Window.width
    glyphs = {key: [_ink(shot, label, scale) for label in row] for key, row in labels.items()}
    return shot_path, shot, glyphs


def test_screenshot_is_not_blank(rendered):
    path, shot, _ = rendered
    assert os.path.getsize(path) > 0
    stddev = ImageStat.Stat(shot.convert("L")).stddev[0]
    assert stddev > 10, f"{path} looks blank (grey-level std dev {stddev:.1f})"
    # White background with dark text: most pixels light, some dark.
    histogram = shot.convert("L").histogram()
    assert sum(histogram[:64]) > 500, f"{path}: hardly any dark (text) pixels"
    assert sum(histogram[192:]) > shot.width * shot.height // 2, f"{path}: background not white"


def test_chinese_name_characters_render_as_distinct_glyphs(rendered):
    path, _, glyphs = rendered
    *names, notdef = glyphs["cjk"]
    for i, j in _pairs(names):
        diff = _difference(names[i], names[j])
        assert diff > 0.3, f"{NAMES[i]} and {NAMES[j]} look alike ({diff:.2f}) in {path}: tofu?"
    for char, glyph in zip(NAMES, names):
        diff = _difference(glyph, notdef)
        assert diff > 0.3, f"{char} looks like the missing-glyph box ({diff:.2f}) in {path}"


def test_stock_kivy_font_shows_tofu_so_the_check_can_fail(rendered):
    """Control: without our font every Chinese character is the same box."""
    _, _, glyphs = rendered
    stock = glyphs["stock"]
    for i, j in _pairs(stock):
        assert _difference(stock[i], stock[j]) < 0.05


def test_app_can_run_again_in_the_same_process(kivy_app):
    """A second App.run() in one process renders too (DESIGN.md: cancel Clock events)."""
    for attempt in range(2):
        labels: dict[str, list] = {}
        [shot_path] = kivy_app.run(_make_app(labels), name=f"{kivy_app.prefix}-{attempt}")
        shot = Image.open(shot_path).convert("L")
        assert ImageStat.Stat(shot).stddev[0] > 10, f"{shot_path} is blank"
