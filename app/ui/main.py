"""The station app: ``sanji app --data DIR`` → ``run_app(DIR)``.

One app for village stations, town centers and county windows; the level comes from
enrollment. The app object holds what every screen needs (the station, the desk, who is
signed in, the clock) and runs sync in a background thread so the screen never freezes:
the round works on its own SQLite connection (app.services.syncing) and its result is
applied here on the Kivy clock.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock, mainthread
from kivy.core.window import Window
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from app.accounts import Cadre
from app.services.desk import Desk
from app.services.rules import Rules
from app.services.syncing import catch_up, progress_text, status_line, sync_round
from app.station import LEVEL_NAMES, Station, open_station
from app.ui import style
from app.ui.fonts import register_cjk_font
from sync.session import RoundResult
from sync.status import sync_status

log = logging.getLogger(__name__)

LEVEL_TITLES = {"village": "村便民服务站", "town": "镇便民服务中心", "county": "县直部门窗口"}
# Screens that need nobody signed in; all others send you to sign-in first.
OPEN_SCREENS = ("enroll", "signin")


class SanjiApp(App):
    narrow = BooleanProperty(False)
    enrolled = BooleanProperty(False)
    station_text = StringProperty("")
    station_short = StringProperty("")
    user_text = StringProperty("")
    user_name = StringProperty("")
    sync_text = StringProperty("")
    sync_error = StringProperty("")
    syncing = BooleanProperty(False)
    sync_fraction = NumericProperty(0.0)
    sync_progress_text = StringProperty("")
    show_home_button = BooleanProperty(False)
    message = StringProperty("")
    message_is_error = BooleanProperty(False)

    def __init__(self, data_dir: Path | str, *, today: Callable[[], date] | None = None,
                 now: Callable[[], datetime] | None = None, sync_minutes: float = 10.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_dir = Path(data_dir)
        self.now: Callable[[], datetime] = now or datetime.now
        self.today: Callable[[], date] = today or (lambda: self.now().date())
        self.sync_minutes = sync_minutes
        self.station: Station | None = None
        self.desk: Desk | None = None
        self.user: Cadre | None = None
        self.title = "三级联动 · 便民服务"
        self._events: list = []
        self._message_event = None
        self._stopped = False
        self._history: list[str] = []
        self._sync_thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------------------
    def build(self):
        register_cjk_font()
        from app.ui.shell import Shell
        self._open_station()
        Window.bind(size=self._on_window_size)
        self._on_window_size(Window, Window.size)
        self.shell = Shell()
        self.shell.add_screens(self._make_screens())
        self.refresh_status()
        self._show_first_screen()
        return self.shell

    def _make_screens(self) -> list:
        from app.ui.case_screen import CaseScreen
        from app.ui.duty_screen import DutyScreen
        from app.ui.enroll_screen import EnrollScreen
        from app.ui.home_screen import HomeScreen
        from app.ui.intake_screen import IntakeScreen
        from app.ui.ledger_screen import LedgerScreen
        from app.ui.signin_screen import SignInScreen
        from app.ui.town_screen import TownScreen
        from app.ui.visit_screen import VisitScreen
        return [EnrollScreen(name="enroll"), SignInScreen(name="signin"),
                HomeScreen(name="home"), VisitScreen(name="visits"), DutyScreen(name="duty"),
                IntakeScreen(name="intake"), LedgerScreen(name="ledger"),
                CaseScreen(name="case"), TownScreen(name="town")]

    def on_start(self) -> None:
        self._events.append(Clock.schedule_interval(lambda _dt: self.refresh_status(), 30))
        if self.sync_minutes and self.sync_minutes > 0:
            self._events.append(Clock.schedule_once(lambda _dt: self.auto_sync(), 3))
            self._events.append(Clock.schedule_interval(lambda _dt: self.auto_sync(),
                                                        self.sync_minutes * 60))

    def on_stop(self) -> None:
        self._stopped = True
        for event in self._events:
            event.cancel()
        if self._message_event is not None:
            self._message_event.cancel()
        Window.unbind(size=self._on_window_size)
        if self.station is not None:
            self.station.close()

    def _on_window_size(self, _window, size) -> None:
        self.narrow = size[0] < dp(style.NARROW_DP)

    def _open_station(self) -> None:
        if self.station is not None:
            self.station.close()
        self.station = open_station(self.data_dir)
        self.desk = Desk(self.station, today=self.today)
        self.enrolled = self.station.enrolled
        if self.enrolled:
            name = self.station.name or "本站"
            self.station_text = (f"{name}（{LEVEL_NAMES.get(self.level, '')}）"
                                 if any(w in name for w in ("便民服务", "中心", "窗口"))
                                 else f"{name} · {self.level_title}")
            self.station_short = f"{name}（{LEVEL_NAMES.get(self.level, '')}）"
        else:
            self.station_text = self.station_short = "本机还没有登记"

    @property
    def level(self) -> str:
        return self.station.level if self.station else "village"

    @property
    def level_title(self) -> str:
        return LEVEL_TITLES.get(self.level, LEVEL_NAMES.get(self.level, ""))

    @property
    def rules(self) -> Rules:
        assert self.desk is not None
        return self.desk.rules

    @property
    def conn(self):
        assert self.station is not None
        return self.station.store.conn

    # navigation --------------------------------------------------------------------------
    def _show_first_screen(self) -> None:
        self.go("signin" if self.enrolled else "enroll")

    def go(self, name: str, **params: Any) -> None:
        """Show screen ``name``; ``params`` go to its ``show()``."""
        manager = self.shell.screens
        if name not in OPEN_SCREENS and self.user is None:
            name, params = ("signin", {}) if self.enrolled else ("enroll", {})
        screen = manager.get_screen(name)
        if manager.current and manager.current != name:
            self._history.append(manager.current)
            del self._history[:-10]
        if hasattr(screen, "show"):
            screen.show(**params)
        manager.current = name
        self.show_home_button = self.user is not None and name not in ("home", "signin",
                                                                        "enroll")

    def go_home(self) -> None:
        self._history.clear()
        self.go("home")

    def back(self) -> None:
        target = self._history.pop() if self._history else "home"
        if target == self.shell.screens.current or target in OPEN_SCREENS:
            target = "home"
        screen = self.shell.screens.get_screen(target)
        if hasattr(screen, "refresh"):
            screen.refresh()
        self.shell.screens.current = target
        self.show_home_button = target != "home"

    @property
    def screen(self):
        return self.shell.screens.current_screen

    # people ------------------------------------------------------------------------------
    def signed_in(self, cadre: Cadre) -> None:
        self.user = cadre
        self.user_text = f"{cadre.name}（{cadre.post}）"
        self.user_name = cadre.name
        self._history.clear()
        self.go("home")

    def sign_out(self) -> None:
        self.user = None
        self.user_text = self.user_name = ""
        self._history.clear()
        self.go("signin")

    def enrolled_now(self) -> None:
        """After enrollment wrote the identity: reopen the station and sign in."""
        self._open_station()
        self.refresh_status()
        self.go("signin")

    def now_ms(self) -> int:
        return int(self.now().timestamp() * 1000)

    # messages ----------------------------------------------------------------------------
    def say(self, text: str, error: bool = False, seconds: float = 8.0) -> None:
        """A line at the bottom of the screen: green for done, red for a problem."""
        self.message, self.message_is_error = text, error
        if self._message_event is not None:
            self._message_event.cancel()
        self._message_event = Clock.schedule_once(lambda _dt: self.clear_message(), seconds)

    def clear_message(self) -> None:
        self.message = ""

    # sync --------------------------------------------------------------------------------
    def refresh_status(self) -> None:
        if self.station is None or self._stopped:
            return
        status = sync_status(self.station.store)
        self.sync_text = status_line(status, self.now())
        if not self.syncing:
            self.sync_error = status.last_error or ""

    def auto_sync(self) -> None:
        if self.enrolled and self.station is not None and self.station.hub_url():
            self.sync_now(manual=False)

    def sync_now(self, manual: bool = True) -> None:
        if self.syncing or not self.enrolled:
            return
        self._manual_sync = manual
        self.syncing = True
        self.sync_fraction = 0.0
        self.sync_progress_text = "正在连接服务器…"
        self._sync_thread = threading.Thread(target=self._sync_worker, args=(self.data_dir,),
                                             name="sanji-sync", daemon=True)
        self._sync_thread.start()

    def _sync_worker(self, data: Path) -> None:
        result = sync_round(data, progress=self._sync_progress)
        self._sync_done(result)

    @mainthread
    def _sync_progress(self, stage: str, done: int, total: int) -> None:
        if self._stopped:
            return
        self.sync_progress_text = progress_text(stage, done, total)
        if stage == "push" and total:
            self.sync_fraction = 0.5 * done / total
        else:
            self.sync_fraction = max(self.sync_fraction, 0.6)

    @mainthread
    def _sync_done(self, result: RoundResult) -> None:
        if self._stopped or self.station is None:
            return
        catch_up(self.station)
        self.syncing = False
        self.sync_fraction = 1.0
        self.refresh_status()
        if result.ok:
            self.sync_error = ""
            if getattr(self, "_manual_sync", False):
                self.say(result.summary() + "。")
            if result.pulled and hasattr(self.screen, "refresh"):
                self.screen.refresh()
        else:
            self.sync_error = result.error or "没有同步成功，请稍后再试。"


def run_app(data_dir: Path | str, sync_minutes: float = 10.0) -> None:
    from kivy.utils import platform
    if platform in ("linux", "win", "macosx"):   # a desktop: open at tablet size
        Window.size = (1280, 800)
    SanjiApp(data_dir, sync_minutes=sync_minutes).run()


__all__ = ["SanjiApp", "run_app"]
