"""Cold start stays light (issue #4, bench.app): the app builds only the first screen, and
neither the PDF module (reportlab), the spreadsheet export (openpyxl) nor the sync client
(httpx) is imported before the first frame. Checked in a fresh interpreter, since the test
process has long imported all of them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.ui.stations import make_station

CHILD = r"""
import json, sys
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
import app.ui.main as ui

seen = {}
flip = Window.flip

def first_frame():
    flip()
    running = App.get_running_app()
    if not seen and running is not None and running.root in Window.children:
        seen["screens"] = list(running.shell.screens.screen_names)
        seen["heavy"] = sorted(m for m in ("httpx", "reportlab", "openpyxl", "app.docs",
                                           "app.services.disputes", "app.ui.home_screen")
                               if m in sys.modules)
        Clock.schedule_once(lambda _dt: running.stop(), 0)

Window.flip = first_frame
ui.SanjiApp(sys.argv[1], sync_minutes=0).run()
print(json.dumps(seen))
"""


def test_first_frame_builds_one_screen_and_no_heavy_module(tmp_path: Path) -> None:
    data = make_station(tmp_path / "station")
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(tmp_path / "kivy"),
           "KIVY_NO_CONSOLELOG": "1", "KIVY_NO_FILELOG": "1", "SDL_VIDEODRIVER": "offscreen",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-c", CHILD, str(data)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"screens": ["signin"], "heavy": []}, seen
