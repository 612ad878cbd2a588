"""The station app: ``sanji app --data DIR`` → ``run_app(DIR)``.

One app for village stations, town centers and county windows; the level comes from
enrollment. The app object holds what every screen needs (the station, the desk, who is
signed in, the clock) and runs sync in a background thread so the screen never freezes:
the round works on its own SQLite connection (app.services.syncing) and its result is
applied here on the Kivy clock.

On a shared tablet the signed-in cadre is signed out after a time nobody touched it (the
town's ``station.idle_signout_minutes``, default 10; a minute before, the status line
says so). 大字 (app.device_prefs) scales every text on this tablet on top of the system's own
font scale; the screens are built again to take it.
"""
from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.metrics import Metrics, dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from app.accounts import Cadre
from app.device_prefs import LARGE_TEXT_SCALE, DevicePrefs, load_prefs, save_prefs
from app.services.desk import Desk
from app.station import LEVEL_NAMES, Station, open_station
from app.ui import style
from app.ui.app_people import PeopleMixin
from app.ui.app_sync import SyncMixin
from app.ui.fonts import register_cjk_font
from app.ui.screens import OPEN_SCREENS, SCREENS

if TYPE_CHECKING:   # imported where used: kept off the cold-start path (httpx, openpyxl)
    from app.services.disputes import Disputes
    from app.services.petitions import Petitions
    from app.services.printers import PrintService
    from app.services.rules import Rules

log = logging.getLogger(__name__)

LEVEL_TITLES = {"village": "村便民服务站", "town": "镇便民服务中心", "county": "县直部门窗口"}


class SanjiApp(PeopleMixin, SyncMixin, App):
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
    detail = StringProperty("")          # the status line in full, shown when tapped
    large_text = BooleanProperty(False)  # 大字 on this tablet (app.device_prefs)

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
        self._disputes: Disputes | None = None
        self._petitions: Petitions | None = None
        self._print_service: PrintService | None = None
        self._system_fontscale = Metrics.fontscale
        self._last_touch = 0.0
        self._idle_warned = False

    # lifecycle ---------------------------------------------------------------------------
    def build(self):
        register_cjk_font()
        self._open_station()
        self._system_fontscale = Metrics.fontscale
        self.large_text = load_prefs(self.data_dir).large_text
        self._apply_font_scale()
        Window.bind(size=self._on_window_size)
        self._on_window_size(Window, Window.size)
        self.shell = self._new_shell()
        self._show_first_screen()
        return self.shell

    def _new_shell(self):
        from kivy.uix.screenmanager import NoTransition

        from app.services.printing import clear_prints
        clear_prints(self.data_dir)          # left by a crash: nobody is signed in now
        from app.ui.shell import Shell
        shell = Shell()
        shell.screens.transition = NoTransition()
        return shell

    def _apply_font_scale(self) -> None:
        Metrics.fontscale = self._system_fontscale * (LARGE_TEXT_SCALE if self.large_text
                                                      else 1.0)

    def toggle_large_text(self) -> None:
        """大字 on or off for this tablet: kept in device.json, every screen built again."""
        self.large_text = not self.large_text
        save_prefs(self.data_dir, DevicePrefs(large_text=self.large_text))
        self._apply_font_scale()
        current = self.shell.screens.current
        Window.remove_widget(self.shell)
        self.shell = self.root = self._new_shell()
        Window.add_widget(self.shell)
        screen = self.screen_named(current)
        if hasattr(screen, "show"):
            screen.show()
        self.shell.screens.current = current
        self.show_home_button = self.user is not None and current not in ("home", "signin",
                                                                          "enroll")

    def screen_named(self, name: str):
        """Screen ``name``, built now if this is the first time it is needed."""
        manager = self.shell.screens
        if not manager.has_screen(name):
            module, cls = SCREENS[name]
            manager.add_widget(getattr(importlib.import_module(module), cls)(name=name))
        return manager.get_screen(name)

    def on_start(self) -> None:
        # The sync status line needs the sync client (httpx): read it once the first frame
        # is on screen, not before.
        Window.bind(on_flip=self._after_first_frame)
        Window.bind(on_touch_down=self._touched, on_key_down=self._touched)
        self._last_touch = Clock.get_time()
        self._events.append(Clock.schedule_interval(lambda _dt: self.refresh_status(), 30))
        self._events.append(Clock.schedule_interval(lambda _dt: self._check_idle(), 5))
        if self.sync_minutes and self.sync_minutes > 0:
            self._events.append(Clock.schedule_once(lambda _dt: self.auto_sync(), 3))
            self._events.append(Clock.schedule_interval(lambda _dt: self.auto_sync(),
                                                        self.sync_minutes * 60))

    def _after_first_frame(self, *_args) -> None:
        Window.unbind(on_flip=self._after_first_frame)
        self._events.append(Clock.schedule_once(lambda _dt: self.refresh_status(), 0))

    def on_stop(self) -> None:
        self._stopped = True
        Window.unbind(on_flip=self._after_first_frame)
        Window.unbind(on_touch_down=self._touched, on_key_down=self._touched)
        Metrics.fontscale = self._system_fontscale
        for event in self._events:
            event.cancel()
        if self._message_event is not None:
            self._message_event.cancel()
        Window.unbind(size=self._on_window_size)
        if self.station is not None:
            if self.station.enrolled:
                self.station.note_unsynced(self.now_ms())
            self.station.close()
            self.station = None

    def _on_window_size(self, _window, size) -> None:
        self.narrow = size[0] < dp(style.NARROW_DP)

    def _open_station(self, key: bytes | None = None) -> None:
        """Open the station's encrypted database: with a signed-in cadre's key, or (a new
        tablet, no cadre yet) with none. A station that has cadres stays closed until one
        signs in: then only the keyring is read (names for the sign-in screen)."""
        if self.station is not None:
            self.station.close()
            self.station = None
        from app.keyring import Keyring
        keyring = Keyring.of(self.data_dir)
        self.desk = None
        self._disputes = self._petitions = None
        if key is not None or not keyring.exists() or keyring.setup_key() is not None:
            self.station = open_station(self.data_dir, key)
            self.desk = Desk(self.station, today=self.today)
            self.enrolled = self.station.enrolled
            label = (self.station.name, self.station.level)
        else:
            self.enrolled = True                 # a keyring with cadres: enrolled
            label = keyring.station()
        if self.enrolled:
            name, self._level = label[0] or "本站", label[1] or "village"
            self.station_text = (f"{name}（{LEVEL_NAMES.get(self.level, '')}）"
                                 if any(w in name for w in ("便民服务", "中心", "窗口"))
                                 else f"{name} · {self.level_title}")
            self.station_short = f"{name}（{LEVEL_NAMES.get(self.level, '')}）"
        else:
            self.station_text = self.station_short = "本机还没有登记"

    @property
    def level(self) -> str:
        return self.station.level if self.station else getattr(self, "_level", "village")

    @property
    def level_title(self) -> str:
        return LEVEL_TITLES.get(self.level, LEVEL_NAMES.get(self.level, ""))

    @property
    def rules(self) -> Rules:
        assert self.desk is not None
        return self.desk.rules

    @property
    def disputes(self) -> Disputes:
        """矛盾纠纷 service of this station (app.services.disputes), made on first use."""
        if self._disputes is None:
            from app.services.disputes import Disputes
            self._disputes = Disputes(self.station, today=self.today, now=self.now)
        return self._disputes

    @property
    def petitions(self) -> Petitions:
        """信访 service of this station (app.services.petitions), made on first use."""
        if self._petitions is None:
            from app.services.petitions import Petitions
            self._petitions = Petitions(self.station, today=self.today, now=self.now)
        return self._petitions

    @property
    def print_service(self) -> PrintService:
        """The device's print service (CUPS on a desktop), found on first use; tests and a
        future Android build set their own."""
        if self._print_service is None:
            import os

            from kivy.utils import platform

            from app.services.printers import system_print_service
            self._print_service = system_print_service(os.environ, platform)
        return self._print_service

    @print_service.setter
    def print_service(self, service: PrintService) -> None:
        self._print_service = service

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
        screen = self.screen_named(name)
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
        if self.user is None:       # 使用说明 read before signing in: back to sign-in
            target = "signin" if self.enrolled else "enroll"
        elif target == self.shell.screens.current or target in OPEN_SCREENS:
            target = "home"
        screen = self.screen_named(target)
        if hasattr(screen, "refresh"):
            screen.refresh()
        self.shell.screens.current = target
        self.show_home_button = self.user is not None and target != "home"

    @property
    def screen(self):
        return self.shell.screens.current_screen

    def help(self) -> None:
        """使用说明 of the task on screen (app.help_topics)."""
        current = self.shell.screens.current
        if current != "help":
            self.go("help", topic=current)

    # messages ----------------------------------------------------------------------------
    def say(self, text: str, error: bool = False, seconds: float = 8.0) -> None:
        """Said in the status strip under the top bar for ``seconds``: green for done,
        red for a problem."""
        self.message, self.message_is_error = text, error
        if self._message_event is not None:
            self._message_event.cancel()
        self._message_event = Clock.schedule_once(lambda _dt: self.clear_message(), seconds)

    def clear_message(self) -> None:
        self.message = ""

    def show_status_detail(self) -> None:
        """The status line was tapped: what it says, in full, over the page."""
        if self.message:
            self.detail = self.message
        elif self.syncing:
            self.detail = self.sync_progress_text
        elif self.sync_error:
            self.detail = "同步失败：" + self.sync_error
        else:
            self.detail = self.sync_text



def run_app(data_dir: Path | str, sync_minutes: float = 10.0) -> None:
    from kivy.utils import platform
    if platform in ("linux", "win", "macosx"):   # a desktop: open at tablet size
        Window.size = (1280, 800)
    SanjiApp(data_dir, sync_minutes=sync_minutes).run()


__all__ = ["OPEN_SCREENS", "SCREENS", "SanjiApp", "run_app"]
