"""登记: the first screen on a new tablet — the hub address and the one-time code, typed
or read from a photo of the enrollment QR code (`sanji node add` prints it; the photo is
picked with the Chinese photo picker; a camera shot goes through the same picker's
camera folder).

Enrollment talks to the network, so it runs in a thread; the screen says what it is doing
and, if it fails, what to do (the messages come from the sync layer, in Chinese)."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from kivy.clock import mainthread
from kivy.lang import Builder

from app.services.errors import ServiceError
from app.services.syncing import check_enroll_code, check_hub_url, enroll
from app.ui.widgets import Page

log = logging.getLogger(__name__)


class EnrollScreen(Page):
    fingerprint = ""        # the hub certificate's, when the fields came from a QR code

    def refresh(self) -> None:
        self.ids.error.text = ""
        self.ids.go.disabled = False

    def pick_qr(self) -> None:
        from app.ui.photo_picker import PhotoPicker
        self._picker = PhotoPicker(self.app.data_dir, self.read_qr)
        self._picker.open(animation=False)

    def read_qr(self, path: str) -> None:
        from app.services.enroll_card import read_card
        try:
            card = read_card(Path(path))
        except ServiceError as exc:
            self.ids.error.text = exc.message
            return
        if card.hub_url:
            self.ids.url.text = card.hub_url
        self.ids.code.text = card.code
        self.fingerprint = card.fingerprint
        self.ids.error.text = ""
        self.check_fields()
        if not card.hub_url:
            self.ids.url.error = "二维码里没有服务器地址：请照镇里给的地址填写。"

    def check_fields(self) -> bool:
        url, code = self.ids.url, self.ids.code
        url.error = check_hub_url(url.text) or ""
        code.error = check_enroll_code(code.text) or ""
        return not (url.error or code.error)

    def submit(self) -> None:
        if not self.check_fields():
            return
        self.ids.error.text = ""
        self.ids.go.disabled = True
        self.ids.go.text = "正在登记，请稍候…"
        # A fingerprint read from a QR code names the hub, whatever address is typed after.
        args = (self.app.data_dir, self.ids.url.text, self.ids.code.text, self.fingerprint)
        self._thread = threading.Thread(target=self._work, args=args, name="sanji-enroll",
                                        daemon=True)
        self._thread.start()

    def _work(self, data: Path, url: str, code: str, fingerprint: str) -> None:
        try:
            identity = enroll(data, url, code, fingerprint)
        except ServiceError as exc:
            self._done(None, exc.message)
        except Exception:  # shown, not swallowed: the cadre must know it failed
            log.exception("enrollment failed")
            self._done(None, "登记没有成功：请检查服务器地址和登记码后重试；仍不行请联系镇里"
                             "（详细原因已记在程序日志里）。")
        else:
            self._done(identity, "")

    @mainthread
    def _done(self, identity, error: str) -> None:
        self.ids.go.disabled = False
        self.ids.go.text = "登记"
        if error:
            self.ids.error.text = error
            return
        self.app.enrolled_now()
        self.app.say(f"登记成功：本机是 {identity.get('name', '')}，请添加第一位干部。")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
