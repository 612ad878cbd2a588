"""Attaching a photo of the signed 调解笔录 (issue #8 §2): the Chinese picker with big
buttons and thumbnails, never a typed path or Kivy's English file browser.

All by touch (tests/ui/touch.py). At 王湾村 a mediator opens 登记调解 on a dispute, taps
选照片或扫描件, the picker shows the
picture folders as buttons and the photos as tiles (newest first), the mediator goes into
a folder and back, picks the photo, 用这张, and saves: the session keeps those bytes.  A
file that is not a photo is refused with a Chinese message and nothing is saved.  This
machine has no camera: 拍照 is not offered; the camera's shot is kept the same way as a
real frame (a texture drawn here) and then shows up under 本机拍的照片.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PIL import Image

from app.services.disputes import DisputeForm, Disputes, PartyForm
from tests.ui.flows import current, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import NOW, TODAY, cadre, make_station, unlocked
from tests.ui.touch import touch_app

pytestmark = pytest.mark.slow


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder with pictures: two photos (the signed record the newest), a folder of
    older ones, and a text file someone named .jpg."""
    home = tmp_path / "home"
    pictures = home / "Pictures"
    (pictures / "上个月").mkdir(parents=True)
    Image.new("RGB", (400, 300), (200, 200, 200)).save(pictures / "院墙.jpg", "JPEG")
    Image.new("RGB", (300, 400), (240, 240, 230)).save(pictures / "签字笔录.jpg", "JPEG")
    Image.new("RGB", (300, 300), (90, 140, 90)).save(pictures / "上个月" / "旧照片.png", "PNG")
    (pictures / "不是照片.jpg").write_text("这不是照片")
    now = time.time()
    os.utime(pictures / "不是照片.jpg", (now - 300, now - 300))
    os.utime(pictures / "院墙.jpg", (now - 200, now - 200))
    os.utime(pictures / "签字笔录.jpg", (now - 100, now - 100))
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def village(tmp_path: Path) -> tuple[Path, str]:
    path = make_station(tmp_path / "village")
    station = unlocked(path)
    try:
        svc = Disputes(station, today=lambda: TODAY, now=lambda: NOW)
        record = svc.register(cadre(station, "李建国"), DisputeForm("邻里关系", [
            PartyForm("王大山", "申请人", address="王湾村三组12号"),
            PartyForm("王小河", "被申请人", address="王湾村三组13号")],
            "两家之间的排水沟堵塞，多次争吵", "中")).record
    finally:
        station.close()
    return path, record


def picker(ui):
    from app.ui.photo_picker import PhotoPicker
    found = [w for w in ui.roots() if isinstance(w, PhotoPicker)]
    assert found, "the photo picker is not open"
    return found[0]


def tile_titles(ui) -> list[str]:
    return [w.title for w in reversed(picker(ui).ids.tiles.children)]


def session_form(ui) -> None:
    """From the home screen to the dispute's 登记调解 form (the only dispute of 王湾村)."""
    sign_in(ui, "李建国")
    ui.tap("矛盾纠纷")
    ui.tap("王大山、王小河")
    dispute = screen(ui.app, "dispute")
    ui.tap("登记调解", within=dispute.ids.actions)
    photo = dispute._inputs["file"]
    assert "拍照" not in ui.texts(photo)                # no camera on this machine
    assert "选照片或扫描件" in ui.texts(photo) and "/" not in ui.texts(photo)
    ui.fill("调解笔录", "双方同意由王小河清理排水沟，王大山不再追究")
    ui.done_typing()


def test_a_photo_of_the_signed_record_is_picked_and_kept(home, village) -> None:
    path, record = village
    with touch_app(station_app(path), "tablet", name="photos-dispute") as ui:
        session_form(ui)
        dispute = screen(ui.app, "dispute")
        ui.tap("选照片或扫描件")
        view = picker(ui)
        assert [name for name, _ in view.places][:1] == ["图片"]
        # folders first, then the newest photo first; the fake .jpg is listed (it is
        # refused when saved, by its bytes, not its name)
        assert tile_titles(ui) == ["上个月", "签字笔录.jpg", "院墙.jpg", "不是照片.jpg"]
        assert view.ids.use.disabled
        ui.shot("picker")
        ui.tap("上个月")
        assert tile_titles(ui) == ["旧照片.png"]
        assert "上个月" in view.ids.where.text and not view.ids.up.disabled
        ui.shot("folder")
        ui.tap("上一层")
        assert view.ids.up.disabled and len(tile_titles(ui)) == 4
        ui.tap("签字笔录.jpg")
        chosen = {w.title: w.chosen for w in view.ids.tiles.children}
        assert chosen["签字笔录.jpg"] and not chosen["院墙.jpg"]
        assert not view.ids.use.disabled
        ui.shot("chosen")
        ui.tap("用这张")
        photo = dispute._inputs["file"]
        assert photo.path.endswith("签字笔录.jpg")
        shown = ui.texts(photo)
        assert "换一张" in shown and "不要了" in shown and "选照片或扫描件" not in shown
        ui.shot("picked")
        ui.tap("保存", within=dispute.ids.form)
        assert not dispute.action, dispute.ids.form_error.text
        [session] = dispute.state.sessions
        [ref] = session.attachments
        assert ref["mime"] == "image/jpeg" and ref["name"] == "签字笔录.jpg"
        ui.shot("saved", title("dispute", "actions_title"))
    station = unlocked(path)
    try:
        svc = Disputes(station, today=lambda: TODAY)
        [ref] = svc.dispute(record).sessions[0].attachments
        assert svc.attachment(ref) == (home / "Pictures" / "签字笔录.jpg").read_bytes()
    finally:
        station.close()


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(home, village) -> None:
    path, _record = village
    with touch_app(station_app(path), "phone", name="photos-refused") as ui:
        session_form(ui)
        dispute = screen(ui.app, "dispute")
        ui.tap("选照片或扫描件")
        ui.tap("不是照片.jpg")
        ui.shot("fake-chosen")
        ui.tap("用这张")
        ui.tap("保存", within=dispute.ids.form)
        assert "“不是照片.jpg”不是照片或扫描件" in dispute.ids.form_error.text
        assert dispute.action == "dispute.session" and not dispute.state.sessions
        ui.shot("refused")


def test_a_camera_frame_is_kept_and_found_under_the_stations_photos(home, village) -> None:
    """This machine has no camera: the shot is kept the way a real frame is (a texture
    drawn here, through the service), then picked by touch under 本机拍的照片."""
    path, _record = village
    with touch_app(station_app(path), "tablet", name="photos-camera") as ui:
        from kivy.uix.label import Label

        from app.services.photos import keep_camera_shot
        from app.ui.photo_picker import camera_available, texture_png
        assert not camera_available("linux")        # no /dev/video* here
        frame = Label(text="签字笔录", size=(320, 240), color=(0, 0, 0, 1))
        frame.texture_update()
        shot = keep_camera_shot(ui.app.data_dir, texture_png(frame.texture), ui.app.now())
        assert shot.parent == ui.app.data_dir / "photos" and shot.suffix == ".png"
        session_form(ui)
        ui.tap("选照片或扫描件")
        ui.tap("本机拍的照片", within=picker(ui).ids.places)
        assert tile_titles(ui) == [shot.name]
        ui.shot("camera-frame")
        ui.tap("取消", within=picker(ui))
        assert current(ui) == "dispute"
