"""Helpers for driving the real app in UI tests: window size, pressing buttons, typing,
and the screenshot checks (non-blank, and Chinese drawn as distinct glyphs, not boxes)."""
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
    off-screen framebuffer of the right size instead (``shoot``)."""
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


def shoot(app, path: Path) -> Path:
    """The whole app as the user sees it, drawn into a framebuffer of the window's layout
    size (not the window's buffer: see ``window``)."""
    app.shell.export_to_png(str(path))
    return path


def run_screens(runner, app, steps, name: str, start_probe=None, settle: float = 0.3,
                ) -> dict[str, Path]:
    """Run ``app`` with the harness through named steps; shoot and check every screen.

    ``steps``: (label, step, probe) — ``probe(app)`` returns a one-line label of Chinese
    shown on that screen, or None. The screen after each step (and at the start) is shot
    once the harness has let it settle — at the start of the next step, or in a last extra
    step — to test-artifacts/<name>-<nn>-<label>.png, checked non-blank and, with a probe,
    for real glyphs where that label is. Returns {label: path}, "start" first."""
    folder = runner.artifacts_dir
    for old in folder.glob(f"{name}-[0-9][0-9]-*.png"):   # an earlier run's, maybe more
        old.unlink()
    labels = ["start"] + [label for label, _, _ in steps]
    probes = [start_probe] + [probe for _, _, probe in steps]
    named: dict[str, Path] = {}

    def shoot_and_check(index: int, app) -> None:
        path = shoot(app, folder / f"{name}-{index:02d}-{labels[index]}.png")
        check_not_blank(path)
        if probes[index] is not None:
            check_chinese(path, probes[index](app))
        named[labels[index]] = path

    def wrap(index: int, step):
        def run(app):
            shoot_and_check(index - 1, app)
            if step is not None:
                step(app)
        return run

    raw = runner.run(app, steps=[wrap(i, step) for i, (_, step, _) in enumerate(steps, 1)]
                     + [wrap(len(steps) + 1, None)], name=f"{name}-window", settle=settle)
    for path in raw:   # the window's own buffer: clipped at 800×600, not worth keeping
        path.unlink(missing_ok=True)
    assert list(named) == labels, f"not every screen was shot: {list(named)}"
    return named


def press(button) -> None:
    """Press and release a button the way a finger would (on_press, on_release, and a
    toggle button's state change all happen)."""
    assert not button.disabled, f"{getattr(button, 'text', button)!r} is disabled"
    button.trigger_action(duration=0)


def print_dialog():
    """The print dialog open over the app (app.ui.print_dialog)."""
    from kivy.core.window import Window

    from app.ui.print_dialog import PrintDialog
    found = [w for w in Window.children if isinstance(w, PrintDialog)]
    assert found, "no print dialog is open"
    return found[0]


def shoot_over(app, view, path: Path, probe=None) -> Path:
    """A modal ``view`` (a dialog, the photo picker) over the screen as a cadre sees it:
    the harness shoots the app's shell, which does not hold the view, so the screen is
    shot dimmed and the view drawn at its place; ``probe`` (a one-line label in the view)
    is checked for real glyphs."""
    from kivy.core.window import Window
    path.parent.mkdir(parents=True, exist_ok=True)
    back, front = path.with_name(path.stem + "-screen.png"), path.with_name(path.stem + "-view.png")
    box = view.children[0]
    app.shell.export_to_png(str(back))
    box.export_to_png(str(front))
    with Image.open(back) as screen_png, Image.open(front) as view_png:
        shot = Image.blend(screen_png.convert("RGB"), Image.new("RGB", screen_png.size), 0.45)
        shot.paste(view_png.convert("RGB"), (int(box.x), int(Window.height - box.top)))
        shot.save(path)
    back.unlink()
    front.unlink()
    if probe is not None:
        check_chinese(path, probe)
    return path


def keep_without_printing(app, what: str) -> None:
    """In the open print dialog, 不打印，只保存: the PDF stays in prints/."""
    press(print_dialog().ids.close_button)
    assert what in app.message and "已保存" in app.message, app.message


def screen(app, name: str):
    """Screen ``name`` of the running app (built on first use, as the app does)."""
    return app.screen_named(name)


def find_button(root, text: str):
    """The first Button under ``root`` whose text starts with ``text``."""
    from kivy.uix.button import Button
    for widget in root.walk():
        if isinstance(widget, Button) and widget.text.split("\n")[0].startswith(text):
            return widget
    raise AssertionError(f"no button {text!r} on screen")


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
