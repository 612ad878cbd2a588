"""A new tablet against a real town hub process, by touch (issue #3 §1, issue #8 §1): the
enrollment screen (a wrong code is explained), the first cadre, then 同步 with its status
in the strip under the top bar."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from app.station import open_station
from sync.tls import fingerprint
from tests.support.hubs import ROOT, HubProcess
from tests.ui.flows import current, sign_in, title
from tests.ui.screens import screen
from tests.ui.stations import PIN, make_station, unlocked
from tests.ui.touch import touch_app


def test_enroll_first_cadre_and_sync_with_a_real_hub(tmp_path: Path) -> None:
    from app.ui.main import SanjiApp

    hub = HubProcess(tmp_path / "town", "town")
    hub.init("新集镇")
    hub.start()
    try:
        _, code = hub.add_node("王湾村", "village")
        app = SanjiApp(tmp_path / "station", sync_minutes=0)
        with touch_app(app, "tablet", name="enroll") as ui:
            enroll = screen(app, "enroll")
            ui.shot("start", title("enroll"))
            ui.fill("服务器地址", hub.url)
            ui.fill("登记码", "1234")
            ui.tap("登记")
            assert "12位数字" in enroll.ids.code.error
            ui.shot("bad-code", title("enroll"))
            ui.fill("登记码", code)
            ui.tap("登记")
            ui.until(lambda: app.enrolled and current(ui) == "signin", timeout=30,
                     what="enrollment with the hub")
            signin = screen(app, "signin")
            assert signin.adding and signin.ids.add_title.text == "添加第一位干部"
            ui.fill("姓名", "李建国")
            ui.fill("职务", "村委委员")
            ui.fill(signin.ids.pin1, PIN)
            ui.fill(signin.ids.pin2, PIN)
            ui.done_typing()
            ui.shot("first-cadre", title("signin", "add_title"))
            ui.tap("保存")
            assert app.user is not None and current(ui) == "home"
            ui.shot("home", title("home", "hello"))
            ui.tap("同步")
            ui.until(lambda: not app.syncing, timeout=30, what="the sync round")
            assert app.sync_error == "", app.sync_error
            assert app.sync_text.startswith("上次同步") and "全部已上传" in app.sync_text
            ui.advance(10)                       # the round's message gives way to the status
            assert "全部已上传" in ui.texts(app.shell.ids.sync_strip)
            ui.shot("synced")
    finally:
        hub.stop()


def test_enroll_from_a_photo_of_the_qr_code_printed_by_node_add(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sanji node add --url … --qr FILE` (the real command) writes the QR code; the cadre
    picks its photo in the Chinese picker and the fields fill in; the certificate's
    fingerprint from the QR code is what the tablet pins. (No camera on this machine:
    the camera path is the picker's camera folder, not exercised here.)"""
    from app.ui.main import SanjiApp
    from app.ui.photo_picker import PhotoPicker

    pictures = tmp_path / "home" / "Pictures"
    pictures.mkdir(parents=True)
    Image.new("RGB", (300, 300), (200, 200, 200)).save(pictures / "院墙.jpg", "JPEG")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    hub = HubProcess(tmp_path / "town", "town")
    hub.init("新集镇")
    hub.start()
    try:
        added = subprocess.run(
            [sys.executable, "-m", "app.cli", "node", "add", "--data", str(hub.data),
             "--key-file", str(hub.key_file), "--name", "王湾村", "--kind", "village",
             "--url", hub.url, "--qr", str(pictures / "登记码.png")],
            capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
        assert "登记二维码" in added.stdout and "▀" in added.stdout    # drawn in the terminal
        app = SanjiApp(tmp_path / "station", sync_minutes=0)
        with touch_app(app, "tablet", name="enroll-qr") as ui:
            enroll = screen(app, "enroll")
            ui.tap("从照片读取登记二维码")
            [picker] = [w for w in ui.roots() if isinstance(w, PhotoPicker)]
            ui.tap("院墙.jpg")                       # a photo without a QR code first
            ui.tap("用这张")
            assert "没有找到二维码" in enroll.ids.error.text
            ui.shot("no-qr", title("enroll"))
            ui.tap("从照片读取登记二维码")
            ui.tap("登记码.png")
            ui.tap("用这张")
            assert enroll.ids.url.text == hub.url and len(enroll.ids.code.text) == 14
            assert enroll.ids.error.text == "" and enroll.fingerprint
            ui.shot("filled", title("enroll"))
            ui.tap("登记")
            ui.until(lambda: app.enrolled and current(ui) == "signin", timeout=30,
                     what="enrollment with the hub")
        station = open_station(tmp_path / "station")
        try:
            assert station.identity()["hub_cert"] == hub.cert
            assert fingerprint(hub.cert or "") == enroll.fingerprint
        finally:
            station.close()
    finally:
        hub.stop()


@pytest.mark.parametrize("url", ["http://192.168.1.10:8732", "https://192.168.1.10:8732"])
def test_a_hub_on_plain_http_is_said_on_screen(tmp_path: Path, url: str) -> None:
    """A station enrolled with a hub run with --insecure shows 连接未加密 in the status
    strip under the top bar; over HTTPS it does not."""
    from app.ui.main import SanjiApp

    path = make_station(tmp_path / "village")
    station = unlocked(path)
    try:
        station.store.set_identity(station.node_id, station.store.signing_key(),
                                   {**station.identity(), "hub_url": url})
    finally:
        station.close()
    secure = url.startswith("https")
    with touch_app(SanjiApp(path, sync_minutes=0), "tablet",
                   name="link-" + ("https" if secure else "http")) as ui:
        sign_in(ui, "李建国")
        shown = ui.texts(ui.app.shell.ids.sync_strip)
        assert ("连接未加密" in shown) is not secure, shown
        ui.shot("strip")
