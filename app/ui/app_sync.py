"""Sync from the app: a round runs in a background thread on its own SQLite connection
(app.services.syncing) so the screen never freezes; its progress and result come back on
the Kivy clock. Mixed into app.ui.main.SanjiApp, whose properties these methods set."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.clock import mainthread

if TYPE_CHECKING:
    from sync.session import RoundResult


class SyncMixin:
    """Status line and background sync of SanjiApp (``self`` is the running app)."""

    _sync_thread: threading.Thread | None
    _stopped: bool
    station: Any

    def refresh_status(self) -> None:
        if self.station is None or self._stopped:
            return
        from app.services.syncing import link_note, status_line
        from sync.status import sync_status
        status = sync_status(self.station.store)
        note = link_note(self.station.hub_url())
        self.sync_text = (f"{note} · " if note else "") + status_line(status, self.now())
        if not self.syncing:
            self.sync_error = status.last_error or ""

    def auto_sync(self) -> None:
        # Only while unlocked: a signed-out tablet holds no key (issue #11).
        if (self.enrolled and self.user is not None and self.station is not None
                and self.station.hub_url()):
            self.sync_now(manual=False)

    def sync_now(self, manual: bool = True) -> None:
        if self.syncing or not self.enrolled or self.station is None or self.user is None:
            return
        self._manual_sync = manual
        self.syncing = True
        self.sync_fraction = 0.0
        self.sync_progress_text = "正在连接服务器…"
        import app.services.syncing  # noqa: F401  (imported here, not in the sync thread)
        self._sync_thread = threading.Thread(target=self._sync_worker,
                                             args=(self.data_dir, self.station.key),
                                             name="sanji-sync", daemon=True)
        self._sync_thread.start()

    def _sync_worker(self, data: Path, key: bytes) -> None:
        from app.services.syncing import sync_round
        result = sync_round(data, key, progress=self._sync_progress)
        self._sync_done(result)

    @mainthread
    def _sync_progress(self, stage: str, done: int, total: int) -> None:
        if self._stopped:
            return
        from app.services.syncing import progress_text
        self.sync_progress_text = progress_text(stage, done, total)
        if stage == "push" and total:
            self.sync_fraction = 0.5 * done / total
        else:
            self.sync_fraction = max(self.sync_fraction, 0.6)

    @mainthread
    def _sync_done(self, result: RoundResult) -> None:
        if self._stopped or self.station is None:
            self.syncing = False
            return
        from app.services.syncing import catch_up
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
            self.clear_message()       # the status line now says what went wrong

