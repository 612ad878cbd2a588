"""Attaching a photo of the signed 调解笔录 (issue #8 §2): the Chinese picker with big
buttons and thumbnails, never a typed path or Kivy's English file browser.

At 王湾村 a mediator opens 登记调解 on a dispute, taps 选照片或扫描件, the picker shows the
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
from tests.ui.conftest import ARTIFACTS_DIR
from tests.ui.screens import find_button, press, run_screens, screen, shoot_over, window
from tests.ui.stations import NOW, TODAY, cadre, make_station, unlocked
from tests.ui.test_disputes import _app, ids, sign_in

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


def picker():
    from kivy.core.window import Window

    from app.ui.photo_picker import PhotoPicker
    found = [w for w in Window.children if isinstance(w, PhotoPicker)]
    assert found, "the photo picker is not open"
    return found[0]


def tile(name: str):
    for widget in picker().ids.tiles.children:
        if widget.title == name:
            return widget
    raise AssertionError(f"no tile {name!r}: {[w.title for w in picker().ids.tiles.children]}")


def shoot_picker(app, name: str) -> None:
    shoot_over(app, picker(), ARTIFACTS_DIR / f"{name}.png", picker().ids.title)


def session_form(record: str):
    def step(app):
        app.go("dispute", record=record)
        dispute = screen(app, "dispute")
        press(find_button(dispute.ids.actions, "登记调解"))
        photo = dispute._inputs["file"]
        texts = [w.text for w in photo.walk(restrict=True) if hasattr(w, "text")]
        assert "拍照" not in texts                 # no camera on this machine
        assert "选照片或扫描件" in texts and not any("/" in t for t in texts if t)
        dispute._inputs["record_text"].text = "双方同意由王小河清理排水沟，王大山不再追究"
    return step


def open_picker(app):
    photo = screen(app, "dispute")._inputs["file"]
    press(find_button(photo, "选照片或扫描件"))
    view = picker()
    assert [name for name, _ in view.places][:1] == ["图片"]
    names = [w.title for w in reversed(view.ids.tiles.children)]
    # folders first, then the newest photo first; the fake .jpg is listed (it is refused
    # when saved, by its bytes, not its name)
    assert names == ["上个月", "签字笔录.jpg", "院墙.jpg", "不是照片.jpg"], names
    assert view.ids.use.disabled


def into_folder_and_back(app):
    press(tile("上个月"))
    view = picker()
    assert [w.title for w in view.ids.tiles.children] == ["旧照片.png"]
    assert "上个月" in view.ids.where.text and not view.ids.up.disabled
    press(view.ids.up)
    assert view.ids.up.disabled and len(view.ids.tiles.children) == 4


def choose_the_record(app):
    press(tile("签字笔录.jpg"))
    assert tile("签字笔录.jpg").chosen and not tile("院墙.jpg").chosen
    assert not picker().ids.use.disabled


def pick_the_record(app):
    shoot_picker(app, "photo-picker")          # as drawn after the tap
    press(picker().ids.use)
    photo = screen(app, "dispute")._inputs["file"]
    assert photo.path.endswith("签字笔录.jpg")
    texts = [w.text for w in photo.walk(restrict=True) if hasattr(w, "text")]
    assert "换一张" in texts and "不要了" in texts and "选照片或扫描件" not in texts


def saved(app):
    dispute = screen(app, "dispute")
    press(dispute.ids.form_ok)
    assert not dispute.action, dispute.ids.form_error.text
    [session] = dispute.state.sessions
    [ref] = session.attachments
    assert ref["mime"] == "image/jpeg" and ref["name"] == "签字笔录.jpg"


def test_a_photo_of_the_signed_record_is_picked_and_kept(kivy_app, home, village) -> None:
    path, record = village
    with window(1280, 800):
        run_screens(kivy_app, _app(path), [
            ("signed-in", sign_in("李建国"), ids("home", "hello")),
            ("session-form", session_form(record), None),
            ("picker", open_picker, None),
            ("folder", into_folder_and_back, None),
            ("chosen", choose_the_record, None),
            ("picked", pick_the_record, None),
            ("saved", saved, ids("dispute", "actions_title")),
        ], name="photos-dispute", start_probe=ids("signin", "pick_title"))
    station = unlocked(path)
    try:
        svc = Disputes(station, today=lambda: TODAY)
        [ref] = svc.dispute(record).sessions[0].attachments
        assert svc.attachment(ref) == (home / "Pictures" / "签字笔录.jpg").read_bytes()
    finally:
        station.close()


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(
        kivy_app, home, village) -> None:
    path, record = village

    def pick_fake(app):
        photo = screen(app, "dispute")._inputs["file"]
        press(find_button(photo, "选照片或扫描件"))
        press(tile("不是照片.jpg"))
        press(picker().ids.use)

    def refused(app):
        dispute = screen(app, "dispute")
        press(dispute.ids.form_ok)
        assert "“不是照片.jpg”不是照片或扫描件" in dispute.ids.form_error.text
        assert dispute.action == "dispute.session" and not dispute.state.sessions

    with window(720, 1280):
        run_screens(kivy_app, _app(path), [
            ("signed-in", sign_in("李建国"), ids("home", "hello")),
            ("session-form", session_form(record), None),
            ("fake-picked", pick_fake, None),
            ("refused", refused, None),
        ], name="photos-refused", start_probe=ids("signin", "pick_title"))


def test_a_camera_frame_is_kept_and_found_under_the_stations_photos(
        kivy_app, home, village) -> None:
    path, _record = village

    def camera_frame(app):
        from kivy.uix.label import Label

        from app.services.photos import keep_camera_shot
        from app.ui.photo_picker import PhotoField, camera_available, texture_png
        assert not camera_available("linux")        # no /dev/video* here
        frame = Label(text="签字笔录", size=(320, 240), color=(0, 0, 0, 1))
        frame.texture_update()
        shot = keep_camera_shot(app.data_dir, texture_png(frame.texture), app.now())
        assert shot.parent == app.data_dir / "photos" and shot.suffix == ".png"
        field = PhotoField(app, "照片")
        field.pick()
        view = picker()
        press(find_button(view.ids.places, "本机拍的照片"))
        assert [w.title for w in view.ids.tiles.children] == [shot.name]
        view.dismiss(animation=False)

    with window(1280, 800):
        run_screens(kivy_app, _app(path), [
            ("signed-in", sign_in("李建国"), ids("home", "hello")),
            ("camera-frame", camera_frame, None),
        ], name="photos-camera", start_probe=ids("signin", "pick_title"))
