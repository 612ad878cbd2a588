"""From the outside, once (issue #8 §1): the real app in a real X window (Xvfb, 1280×800),
driven only by xdotool — mouse clicks at screen coordinates and keys pressed on the X
keyboard (Chinese words put in with Ctrl+V, as an input method would commit them) — signs
a cadre in and saves a visit. Nothing of the app is imported into that process; the
result is read back from its (encrypted) SQLite file, opened with the 密码.

Where to click comes from the same app laid out offscreen at the same size in this process
(tests/ui/touch.py reads the widgets' centres while it walks the same steps): both are the
same layout of the same data at density 1. Setup installs Xvfb and xdotool
(scripts/setup.sh); without them the test says so and skips."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import ImageGrab

from app.accounts import list_cadres
from app.station import unlock_station
from tests.support.waiting import until
from tests.ui.conftest import ARTIFACTS_DIR, REPO_ROOT
from tests.ui.flows import sign_in, station_app
from tests.ui.screens import check_not_blank, screen
from tests.ui.stations import PIN, make_station
from tests.ui.touch import touch_app

WIDTH, HEIGHT = 1280, 800
CADRES = (("李建国", "村委委员"), ("王芳", "代办员"))
VISITOR, MATTER = "赵大爷", "咨询高龄津贴怎么申请"

pytestmark = pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("xdotool") and shutil.which("xclip")),
    reason="Xvfb, xdotool or xclip is not installed (bash scripts/setup.sh installs them)")


def plan_taps(data: Path) -> list[tuple[str, tuple[float, float]]]:
    """The screen position of every tap of the flow, found by walking it offscreen at the
    real window's size: [(what, (x, y from the window's top-left))]."""
    taps: list[tuple[str, tuple[float, float]]] = []

    def note(ui, what: str, widget) -> None:
        x, y = ui.centre(widget)
        taps.append((what, (x, HEIGHT - y)))

    with touch_app(station_app(data), "tablet", name="real-window-plan", sweep=False) as ui:
        signin = screen(ui.app, "signin")
        note(ui, "李建国", ui.find("李建国", within=signin.ids.cadres))
        for key in PIN:
            note(ui, key, ui.find(key, within=signin.ids.keypad))
        note(ui, "登录", signin.ids.login)
        sign_in(ui, "李建国")
        note(ui, "来访登记", ui.find("来访登记"))
        ui.tap("来访登记")
        visits = screen(ui.app, "visits")
        note(ui, "来访人姓名", visits.ids.name.ids.input)
        note(ui, "来访事由", visits.ids.matter.ids.input)
        note(ui, "保存来访记录", visits.ids.save)
    return taps


@contextmanager
def xvfb() -> Iterator[str]:
    """An X server of its own (a free display number, chosen by Xvfb)."""
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1920x1200x24",
                             "-nolisten", "tcp"], pass_fds=(write,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def xdotool(display: str, *args: str) -> str:
    done = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"xdotool {args}: {done.stderr}"
    return done.stdout


def app_window(display: str, pid: int) -> tuple[int, int]:
    """The app's window, once it is mapped at 1280×800: its top-left corner on the screen."""
    def found():
        windows = set()
        for how in (["--pid", str(pid)], ["--classname", "python"]):
            done = subprocess.run(["xdotool", "search", "--onlyvisible", *how],
                                  env={**os.environ, "DISPLAY": display}, capture_output=True,
                                  text=True, timeout=10)
            windows.update(done.stdout.split())
        for wid in windows:
            geometry = dict(line.split("=", 1) for line in
                            xdotool(display, "getwindowgeometry", "--shell", wid).split())
            if (int(geometry["WIDTH"]), int(geometry["HEIGHT"])) == (WIDTH, HEIGHT):
                return int(geometry["X"]), int(geometry["Y"])
        return None
    return until(found, "the app's window", 120)


def grab(display: str, origin: tuple[int, int], path: Path) -> Path:
    x, y = origin
    ImageGrab.grab(xdisplay=display).crop((x, y, x + WIDTH, y + HEIGHT)).save(path)
    return path


def test_sign_in_and_save_a_visit_with_xdotool_on_a_real_window(tmp_path: Path) -> None:
    taps = dict(plan_taps(make_station(tmp_path / "plan", cadres=CADRES)))
    data = make_station(tmp_path / "station", cadres=CADRES)
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    env = {**os.environ, "SDL_VIDEODRIVER": "x11", "KIVY_HOME": str(tmp_path / "kivy"),
           "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "PYTHONPATH": str(REPO_ROOT)}
    with xvfb() as display:
        log = open(tmp_path / "app.log", "wb")
        app = subprocess.Popen([sys.executable, "-m", "app.cli", "app", "--data", str(data)],
                               env={**env, "DISPLAY": display}, stdout=log, stderr=log,
                               cwd=REPO_ROOT)
        try:
            try:
                origin = app_window(display, app.pid)
            except AssertionError:
                log.flush()
                windows = subprocess.run(
                    ["xwininfo", "-root", "-tree"] if shutil.which("xwininfo") else ["true"],
                    capture_output=True, text=True, env={**os.environ, "DISPLAY": display})
                raise AssertionError(
                    f"no app window (app running: {app.poll() is None}); windows: "
                    f"{windows.stdout[-800:]}; app log: "
                    + (tmp_path / "app.log").read_text(errors="replace")[-1500:]) from None
            blue = (15, 51, 102)                       # the top bar, drawn: the app is up
            until(lambda: ImageGrab.grab(xdisplay=display).getpixel(
                (origin[0] + 4, origin[1] + 4))[:3] == blue, "the first frame")

            def click(what: str) -> None:
                x, y = taps[what]
                xdotool(display, "mousemove", "--sync", str(origin[0] + round(x)),
                        str(origin[1] + round(y)), "click", "1")
                time.sleep(0.6)                        # a finger lifts; the app answers

            def typed(text: str) -> None:
                # Chinese comes from an input method, which commits whole words; xdotool
                # cannot play one (its key-by-key Unicode remapping races the app), so the
                # words go through the clipboard and are put in with the keyboard: Ctrl+V.
                x_env = {**os.environ, "DISPLAY": display}
                subprocess.run(["xclip", "-selection", "clipboard"], input=text.encode(),
                               env=x_env, check=True, timeout=10)
                until(lambda: subprocess.run(
                    ["xclip", "-o", "-selection", "clipboard"], env=x_env, capture_output=True,
                    timeout=10).stdout == text.encode(), "the clipboard")
                xdotool(display, "key", "--clearmodifiers", "ctrl+v")
                time.sleep(0.6)

            click("李建国")
            for key in PIN:
                click(key)
            click("登录")
            grab(display, origin, ARTIFACTS_DIR / "real-window-0-home.png")
            click("来访登记")
            click("来访人姓名")
            typed(VISITOR)
            click("来访事由")
            typed(MATTER)
            shot = grab(display, origin, ARTIFACTS_DIR / "real-window-1-visit.png")
            check_not_blank(shot)
            click("保存来访记录")

            def saved():
                # the station's file is encrypted: opened as a cadre would (app/keyring.py)
                station = unlock_station(data, PIN, 0, cadre="李建国")
                try:
                    return station.store.conn.execute("SELECT name, matter FROM visits"
                                                      ).fetchall()
                finally:
                    station.close()
            assert until(saved, "the visit in the station's file", 20) == [(VISITOR, MATTER)]
            grab(display, origin, ARTIFACTS_DIR / "real-window-2-saved.png")
        finally:
            app.send_signal(signal.SIGTERM)
            try:
                app.wait(timeout=15)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()
            log.close()
    station = unlock_station(data, PIN, 0, cadre="李建国")
    try:
        authors = {a for (a,) in station.store.conn.execute(
            "SELECT author FROM events WHERE kind='visit'")}
        [cadre_id] = [c.id for c in list_cadres(data) if c.name == "李建国"]
    finally:
        station.close()
    assert authors == {cadre_id}                       # signed in as 李建国, by the clicks
