"""One cold start of the station app for bench.app:
``python -m bench.app_child DATA REPORT PIN``.

Runs ``app.ui.main.run_app(DATA)`` (what ``sanji app --data DATA`` runs) with automatic
sync off, and writes to REPORT the CLOCK_MONOTONIC times (system-wide on Linux, so the
parent can subtract its spawn time) of: Python running this module, Kivy's window made,
the app module imported, ``build()`` returned, the return of the first ``Window.flip()``
that shows the app's root widget (the sign-in screen), the 密码 entered, and the first
flip showing the home screen after the unlock. Then it stops the app.
"""
from __future__ import annotations

import json
import sys
import time

MARKS: dict[str, float] = {"main": time.monotonic()}


def main() -> None:
    data, report, pin = sys.argv[1], sys.argv[2], sys.argv[3]
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
        if running is None or running.root is None or running.root not in Window.children:
            return
        if "first_frame" not in MARKS:
            MARKS["first_frame"] = time.monotonic()
            Clock.schedule_once(lambda _dt: unlock(running), 0)
        elif "unlock_start" in MARKS and "unlocked" not in MARKS \
                and running.shell.screens.current == "home":
            MARKS["unlocked"] = time.monotonic()
            Clock.schedule_once(lambda _dt: running.stop(), 0)

    def unlock(running):
        """The first cadre types the 密码 (app.accounts.sign_in: Argon2id unwraps the
        database key) and the app opens the encrypted store and draws home."""
        from app.accounts import list_cadres, sign_in
        MARKS["unlock_start"] = time.monotonic()
        first = list_cadres(running.data_dir)[0]
        cadre, key = sign_in(running.data_dir, first.id, pin, int(time.time() * 1000))
        MARKS["key"] = time.monotonic()
        opened = running._open_station

        def timed_open(key=None):
            opened(key)
            MARKS["store_open"] = time.monotonic()

        running._open_station = timed_open
        running.unlocked(cadre, key)

    Window.flip = timed_flip
    ui.run_app(data, sync_minutes=0)
    with open(report, "w") as fh:
        json.dump(MARKS, fh)


if __name__ == "__main__":
    main()
