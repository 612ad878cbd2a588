"""Run a real Kivy app offscreen, take screenshots, stop it: the harness for every UI test.

    def test_home_screen_shows_pending_count(kivy_app):
        shots = kivy_app.run(SanjiApp(...), steps=[lambda app: app.root.go("cases")])
        # shots[0]: right after start, shots[1]: after the step; files in test-artifacts/

Why it is built this way (DESIGN.md, "Kivy, verified on this kind of machine"):
- SDL's offscreen driver renders through Mesa, so screenshots show what a tablet would.
- A screenshot captures the last drawn frame, so each one is taken ``settle`` seconds (0.25 s)
  after the step that changed the screen.
- Several ``App.run()`` calls in one pytest process work only if every Clock event we scheduled
  is cancelled afterwards, so they are all cancelled in ``finally``.
- Exceptions raised by steps are caught on the Kivy clock (so the app still stops cleanly and the
  next test gets a usable window) and re-raised from ``run()``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kivy.app import App

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"  # gitignored; kept after the run for looking at

Step = Callable[["App"], object]


class AppDidNotFinish(AssertionError):
    """The app was still running when the harness's time limit hit."""


class OffscreenKivy:
    """Runs one App at a time offscreen; screenshots go to ``artifacts_dir/<prefix>-<n>.png``."""

    def __init__(self, artifacts_dir: Path, prefix: str) -> None:
        self.artifacts_dir = artifacts_dir
        self.prefix = prefix
        self._runs = 0

    def run(
        self,
        app: App,
        steps: Sequence[Step] = (),
        *,
        settle: float = 0.25,
        name: str | None = None,
        clearcolor: tuple[float, float, float, float] = (1, 1, 1, 1),
        time_limit: float = 60.0,
    ) -> list[Path]:
        """Run ``app``; screenshot once after start and once after each step; stop; return PNGs.

        Each step is called on the Kivy clock with the running app (its ``root`` is built).
        """
        from kivy.clock import Clock
        from kivy.core.window import Window

        self._runs += 1
        stem = name or (self.prefix if self._runs == 1 else f"{self.prefix}-run{self._runs}")
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        shots: list[Path] = []
        errors: list[BaseException] = []
        events = []
        pending = [None, *steps]  # None: the first screenshot shows the freshly built app
        timed_out = []

        def schedule(callback, delay):
            events.append(Clock.schedule_once(callback, delay))

        def fail(exc: BaseException) -> None:
            errors.append(exc)
            app.stop()

        def do_step(_dt):
            try:
                step = pending.pop(0)
                if step is not None:
                    step(app)
            except Exception as exc:
                fail(exc)
            else:
                schedule(take_screenshot, settle)

        def take_screenshot(_dt):
            try:
                shots.append(self._screenshot(Window, f"{stem}-{len(shots)}"))
            except Exception as exc:
                fail(exc)
                return
            if pending:
                schedule(do_step, 0)
            else:
                app.stop()

        def give_up(_dt):
            timed_out.append(True)
            app.stop()

        previous_clearcolor = tuple(Window.clearcolor)
        Window.clearcolor = clearcolor
        # on_start runs after build(), so steps always see app.root.
        app.bind(on_start=lambda *_: schedule(do_step, 0))
        schedule(give_up, time_limit)
        try:
            app.run()
        finally:
            for event in events:
                event.cancel()
            Window.clearcolor = previous_clearcolor
        if errors:
            raise errors[0]
        if timed_out:
            raise AppDidNotFinish(f"{stem}: still running after {time_limit} s")
        return shots

    def _screenshot(self, window, stem: str) -> Path:
        target = self.artifacts_dir / f"{stem}.png"
        # Window.screenshot() appends a counter and skips existing files, so shoot into an empty
        # folder and move the file to its stable name.
        scratch = Path(tempfile.mkdtemp(prefix="sanji-shot-"))
        try:
            written = window.screenshot(name=str(scratch / "shot.png"))
            if not written or not os.path.exists(written):
                raise AssertionError(f"Window.screenshot() wrote nothing ({written!r})")
            shutil.move(written, target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return target


@pytest.fixture
def kivy_app(request: pytest.FixtureRequest) -> OffscreenKivy:
    """An offscreen Kivy runner with the CJK font registered as the default font."""
    from app.ui.fonts import register_cjk_font

    register_cjk_font()
    prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    return OffscreenKivy(ARTIFACTS_DIR, prefix)
