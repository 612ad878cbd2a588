"""Who is at the tablet: sign-in opens the station with the cadre's key, sign-out (asked
for, or after the town's ``station.idle_signout_minutes`` untouched) locks it again.
Mixed into app.ui.main.SanjiApp, whose Kivy properties and clock these methods use."""
from __future__ import annotations

from kivy.clock import Clock

from app.accounts import Cadre


class PeopleMixin:
    """Sign-in, idle sign-out and lock of SanjiApp (``self`` is the running app)."""

    user: Cadre | None
    _idle_warned: bool
    _last_touch: float

    # people ------------------------------------------------------------------------------
    def unlocked(self, cadre: Cadre, key: bytes) -> None:
        """A cadre's 密码 opened the database: open the station with its key."""
        self.open_with(key)
        self.refresh_status()
        self.signed_in(cadre)

    def open_with(self, key: bytes) -> None:
        """Open the station with ``key`` (a cadre's 密码 unwrapped it), unless it is open."""
        if self.station is None or self.station.key != key:
            self._open_station(key)

    def signed_in(self, cadre: Cadre) -> None:
        self.user = cadre
        self.user_text = f"{cadre.name}（{cadre.post}）"
        self.user_name = cadre.name
        self._history.clear()
        self.go("home")

    # idle sign-out on a shared tablet ------------------------------------------------------
    def _touched(self, *_args) -> None:
        self._last_touch = Clock.get_time()
        if self._idle_warned:
            self._idle_warned = False
            self.clear_message()

    def idle_minutes(self) -> int:
        """After this many minutes untouched a cadre is signed out (0: never); the town's."""
        try:
            return int(self.rules.config.value("station.idle_signout_minutes"))
        except Exception:        # a broken override: the rules module says so elsewhere
            return 10

    def _check_idle(self) -> None:
        if self.user is None or self._stopped:
            return
        limit = self.idle_minutes() * 60
        if not limit:
            return
        idle = Clock.get_time() - self._last_touch
        if idle >= limit:
            name = self.user.name
            self._idle_warned = False
            self.sign_out()
            self.say(f"{name} 已自动退出登录：{limit // 60} 分钟没有人操作。请点名字重新登录。",
                     seconds=600)
        elif idle >= limit - 60 and not self._idle_warned:
            self.say("1 分钟内没有操作将自动退出登录，点一下屏幕就能继续。", seconds=70)
            self._idle_warned = True

    def sign_out(self) -> None:
        """Sign out is lock: the database is closed and its key forgotten, so background
        sync stops too until someone signs in again (issue #11)."""
        self.user = None
        self.user_text = self.user_name = ""
        self._history.clear()
        self._lock()
        self.go("signin")

    def _lock(self) -> None:
        from app.services.member_keys import lock_session
        from app.services.printing import clear_prints
        clear_prints(self.data_dir)          # no plain PDF outlives the sign-in (issue #11)
        lock_session()                       # nor a 监委会 member's unlocked signing key
        if self.station is None:
            return
        if self.station.enrolled:
            self.station.note_unsynced(self.now_ms())
        if not self.station.in_setup:
            self.station.close()
            self.station = None
            self.desk = None
            self._disputes = self._petitions = None

    def enrolled_now(self) -> None:
        """After enrollment wrote the identity: reopen the station and add the first cadre."""
        self._open_station()
        self.refresh_status()
        self.go("signin")

    def now_ms(self) -> int:
        return int(self.now().timestamp() * 1000)

