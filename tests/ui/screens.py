"""Helpers for the real app in UI tests: the window size and density, a screen by name,
and the screenshot checks (non-blank, and Chinese drawn as distinct glyphs, not boxes).
Acting on the app is tests/ui/touch.py's job (taps and typing only)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageStat

from tests.ui.test_font_render import _difference, _ink


@contextmanager
def window(width: int, height: int, density: float = 1.0) -> Iterator[None]:
    """Lay the app out at ``width``×``height`` pixels and ``density`` (dp → px).

    SDL's offscreen driver keeps the buffer the size the window was created with (800×600),
    so a bigger layout is clipped there: screenshots of these runs are drawn into an
    off-screen framebuffer of the right size instead (touch.render_window)."""
    from kivy.core.window import Window
    from kivy.metrics import Metrics
    old_size, old_density = tuple(Window.size), Metrics.density

    def resize(size) -> None:
        Window.size = size
        # SDL's offscreen driver sends no resize event: lay the widgets out now.
        Window.dispatch("on_resize", *Window.size)

    Metrics.density = density
    resize((width, height))
    try:
        yield
    finally:
        Metrics.density = old_density
        resize(old_size)


def screen(app, name: str):
    """Screen ``name`` of the running app (built on first use, as the app does)."""
    return app.screen_named(name)


def check_not_blank(path: Path) -> Image.Image:
    shot = Image.open(path)
    shot.load()
    gray = shot.convert("L")
    stddev = ImageStat.Stat(gray).stddev[0]
    assert stddev > 10, f"{path} looks blank (grey-level std dev {stddev:.1f})"
    histogram = gray.histogram()
    assert sum(histogram[:64]) > 500, f"{path}: hardly any dark (text) pixels"
    assert sum(histogram[192:]) > shot.width * shot.height // 3, f"{path}: background not light"
    return shot


def _full_width(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3000" <= char <= "\u303f" \
        or "\uff00" <= char <= "\uffef"


def check_chinese(path: Path, label, text: str | None = None) -> None:
    """``label`` (one line of CJK text) was drawn with real glyphs: each distinct character
    looks different from the others (a missing font draws the same box for all)."""
    from kivy.core.window import Window
    shot = Image.open(path)
    shot.load()
    text = text or label.text
    assert text and all(_full_width(ch) for ch in text), f"not one line of CJK: {text!r}"
    ink = _ink(shot, label, shot.width / Window.width)
    cell = ink.width / len(text)
    glyphs = [ink.crop((round(i * cell), 0, round((i + 1) * cell), ink.height))
              for i in range(len(text))]
    for i in range(len(text)):
        for j in range(i + 1, len(text)):
            if text[i] != text[j]:
                diff = _difference(glyphs[i], glyphs[j])
                assert diff > 0.3, f"{text[i]} and {text[j]} look alike ({diff:.2f}) in {path}"
