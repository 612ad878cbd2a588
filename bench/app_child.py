"""One cold start of the station app for bench.app: ``python -m bench.app_child DATA REPORT``.

Runs ``app.ui.main.run_app(DATA)`` (what ``sanji app --data DATA`` runs) with automatic
sync off, and writes to REPORT the CLOCK_MONOTONIC times (system-wide on Linux, so the
parent can subtract its spawn time) of: Python running this module, Kivy's window made,
the app module imported, ``build()`` returned, and the return of the first
``Window.flip()`` that shows the app's root widget. Then it stops the app.
"""
from __future__ import annotations

import json
import sys
import time

MARKS: dict[str, float] = {"main": time.monotonic()}


def main() -> None:
    data, report = sys.argv[1], sys.argv[2]
    from kivy.core.window import Window
    MARKS["window"] = time.monotonic()
    from kivy.app import App
    from kivy.clock import Clock

    import app.ui.main as ui
    MARKS["imported"] = time.monotonic()

    build = ui.SanjiApp.build

    def timed_build(self):
        root = build(self)
        MARKS["built"] = time.monotonic()
        return root

    ui.SanjiApp.build = timed_build
    flip = Window.flip

    def timed_flip():
        flip()
        running = App.get_running_app()
        if "first_frame" not in MARKS and running is not None and running.root is not None \
                and running.root in Window.children:
            MARKS["first_frame"] = time.monotonic()
            Clock.schedule_once(lambda _dt: running.stop(), 0)

    Window.flip = timed_flip
    ui.run_app(data, sync_minutes=0)
    with open(report, "w") as fh:
        json.dump(MARKS, fh)


if __name__ == "__main__":
    main()
