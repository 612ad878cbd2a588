"""Photos for a record — the signed 调解笔录, materials, evidence — from the tablet's camera
or from its picture folders, in Chinese, with big buttons and thumbnails: never a typed
path, never Kivy's English file browser.

    PhotoField      a form row: 拍照 (where there is a camera) and 选照片, then the chosen
                    photo's thumbnail with 换一张 and 不要了; ``path`` is the chosen file
    PhotoPicker     the picture folders as big buttons (相机照片, 图片, 下载, U盘和存储卡,
                    本机拍的照片), the photos of one folder as tiles, newest first
    CameraView      Kivy's camera provider live on screen, 拍照 keeps the shot under the
                    station's photos/ folder (app.services.photos)
    camera_available(platform)   whether to offer 拍照 at all

What is picked is checked when the form is saved (app.services.photos.attachment_from_file):
a JPEG or PNG photo or a PDF scan, not too big.  Hidden parts are not kept in the tree
(they are added and removed), so nothing invisible takes a touch.
"""
from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from app.services.errors import ServiceError
from app.services.photos import SUFFIXES, keep_camera_shot
from app.ui.widgets import BigButton

MAX_TILES = 120        # newest first; a camera folder may hold thousands


def _quiet_loader() -> None:
    """Thumbnails load off the Kivy thread (AsyncImage).  Kivy's loader would first open its
    animated "loading" zip and never close the file; a plain tile-coloured placeholder
    costs nothing and shows the same thing (a tile waiting for its photo)."""
    from kivy.core.image import Image as CoreImage
    from kivy.graphics.texture import Texture
    from kivy.loader import Loader
    if not getattr(Loader, "_sanji_quiet", False):
        texture = Texture.create(size=(1, 1))
        texture.blit_buffer(bytes((242, 244, 247, 255)), colorfmt="rgba")
        Loader.loading_image = CoreImage(texture)
        Loader._sanji_quiet = True


def camera_available(platform: str) -> bool:
    """A camera the app can drive: Kivy has a camera provider here, and (off Android) a
    video device exists.  Imported on demand: probing providers is slow and noisy."""
    if platform not in ("android", "ios") and not any(Path("/dev").glob("video*")):
        return False
    try:
        from kivy.core.camera import Camera as CoreCamera
    except Exception:   # no provider at all (no opencv, gstreamer, android)
        return False
    return CoreCamera is not None


def picture_places(data_dir: Path, home: Path | None = None,
                   storage: Path = Path("/storage"), media: Path = Path("/media")
                   ) -> list[tuple[str, Path]]:
    """(名称, folder) of the places photos are usually kept, those that exist, in the
    order a cadre looks: the camera's, the pictures, downloads, removable cards, ours."""
    home = home or Path(os.path.expanduser("~"))
    sdcard = storage / "emulated" / "0"
    candidates = [
        ("相机照片", sdcard / "DCIM" / "Camera"), ("相机照片", Path("/sdcard/DCIM/Camera")),
        ("图片", sdcard / "Pictures"), ("图片", home / "Pictures"), ("图片", home / "图片"),
        ("下载", sdcard / "Download"), ("下载", home / "Downloads"), ("下载", home / "下载"),
        ("桌面", home / "Desktop"), ("桌面", home / "桌面"),
        ("U盘和存储卡", media), ("U盘和存储卡", storage),
        ("本机拍的照片", data_dir / "photos"),
    ]
    seen_names: set[str] = set()
    seen_dirs: set[Path] = set()
    out = []
    for name, folder in candidates:
        if name in seen_names or not folder.is_dir():
            continue
        real = folder.resolve()
        if real in seen_dirs:
            continue
        seen_names.add(name)
        seen_dirs.add(real)
        out.append((name, folder))
    return out


def folder_entries(folder: Path, limit: int = MAX_TILES) -> tuple[list[Path], list[Path], int]:
    """(subfolders by name, photos and scans newest first, how many photos in all)."""
    folders, files = [], []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return [], [], 0
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                folders.append(entry)
            elif entry.suffix.lower() in SUFFIXES and entry.is_file():
                files.append(entry)
        except OSError:
            continue
    files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return sorted(folders, key=lambda p: p.name), files[:limit], len(files)


def texture_png(texture) -> bytes:
    """A camera frame (a Kivy texture) as PNG bytes."""
    from kivy.core.image import Image as CoreImage
    out = io.BytesIO()
    CoreImage(texture).save(out, fmt="png")
    return out.getvalue()


class PhotoTile(ButtonBehavior, BoxLayout):
    """One photo, scan or folder in the picker."""
    path = StringProperty("")
    kind = StringProperty("photo")        # photo | pdf | folder
    title = StringProperty("")
    chosen = BooleanProperty(False)

    def __init__(self, **kwargs) -> None:
        _quiet_loader()   # before its AsyncImage first asks Kivy's loader for anything
        super().__init__(**kwargs)


class PhotoPicker(ModalView):
    """Pick one photo or scan; ``on_pick(path)`` when 用这张 is pressed."""
    folder = StringProperty("")
    place = StringProperty("")
    chosen = StringProperty("")
    note = StringProperty("")
    places = ListProperty([])
    on_pick = ObjectProperty(None)

    def __init__(self, data_dir: Path, on_pick: Callable[[str], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self.on_pick = on_pick
        self.places = picture_places(data_dir)
        self._build_places()
        if self.places:
            self.go_place(*self.places[0])
        else:
            self.note = "这台设备上没有找到存照片的文件夹。"

    def _build_places(self) -> None:
        row = self.ids.places
        row.clear_widgets()
        for name, folder in self.places:
            button = BigButton(text=name, kind="light", size_hint_x=None)
            button.width = max(button.texture_size[0] + 48, 150)
            button.bind(on_release=lambda _b, n=name, f=folder: self.go_place(n, f))
            row.add_widget(button)

    def go_place(self, name: str, folder: Path) -> None:
        self.place = name
        self.open_folder(Path(folder))

    def open_folder(self, folder: Path) -> None:
        self.folder, self.chosen = str(folder), ""
        subfolders, files, total = folder_entries(folder)
        grid = self.ids.tiles
        grid.clear_widgets()
        for sub in subfolders:
            tile = PhotoTile(path=str(sub), kind="folder", title=sub.name)
            tile.bind(on_release=lambda t: self.open_folder(Path(t.path)))
            grid.add_widget(tile)
        for file in files:
            tile = PhotoTile(path=str(file), title=file.name,
                             kind="pdf" if file.suffix.lower() == ".pdf" else "photo")
            tile.bind(on_release=self.choose)
            grid.add_widget(tile)
        if total > len(files):
            self.note = f"这里有 {total} 张，只显示最新的 {len(files)} 张。"
        elif not files and not subfolders:
            self.note = "这个文件夹里没有照片。请点上面的按钮换个地方找。"
        else:
            self.note = "点一下照片选中它，再点“用这张”。" if files else "点文件夹进去找照片。"
        self.ids.scroll.scroll_y = 1

    def up(self) -> None:
        here = Path(self.folder)
        roots = {str(folder) for _, folder in self.places}
        if self.folder not in roots and here.parent != here:
            self.open_folder(here.parent)

    @property
    def at_place_root(self) -> bool:
        return self.folder in {str(folder) for _, folder in self.places}

    def choose(self, tile: PhotoTile) -> None:
        self.chosen = tile.path
        for other in self.ids.tiles.children:
            other.chosen = other is tile

    def use(self) -> None:
        if self.chosen:
            self.dismiss(animation=False)
            self.on_pick(self.chosen)


class CameraView(ModalView):
    """The camera live; 拍照 keeps the frame as a photo of the station and hands it on."""
    error = StringProperty("")

    def __init__(self, data_dir: Path, now: Callable[[], datetime],
                 on_pick: Callable[[str], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_dir, self.now, self.on_pick = data_dir, now, on_pick
        from kivy.uix.camera import Camera
        try:
            self.camera = Camera(play=True, resolution=(1280, 960))
        except Exception:   # the provider found no device after all
            self.camera = None
            self.error = "打不开相机，请用“选照片”从相册里选。"
        else:
            self.ids.frame.add_widget(self.camera)

    def shoot(self) -> None:
        if self.camera is None or self.camera.texture is None:
            self.error = "相机还没有准备好，请稍等再拍。"
            return
        try:
            path = keep_camera_shot(self.data_dir, texture_png(self.camera.texture), self.now())
        except ServiceError as exc:
            self.error = exc.message
            return
        self.close()
        self.on_pick(str(path))

    def close(self) -> None:
        if self.camera is not None:
            self.camera.play = False
        self.dismiss(animation=False)


class PhotoField(BoxLayout):
    """A photo for a form: 拍照 / 选照片 buttons, then the chosen one with 换一张, 不要了."""
    label = StringProperty("")
    path = StringProperty("")
    app = ObjectProperty(None)
    with_camera = BooleanProperty(False)

    def __init__(self, app, label: str, **kwargs) -> None:
        super().__init__(**kwargs)
        from kivy.utils import platform
        self.app, self.label = app, label
        self.with_camera = camera_available(platform)
        self.on_path()

    def on_path(self, *_args) -> None:
        """Only the parts that apply are in the tree (nothing hidden takes a touch)."""
        box = self.ids.body
        box.clear_widgets()
        if self.path:
            preview = PhotoTile(path=self.path, title=Path(self.path).name, chosen=True,
                                kind="pdf" if self.path.lower().endswith(".pdf") else "photo")
            preview.bind(on_release=lambda _t: self.pick())
            box.add_widget(preview)
            buttons = BoxLayout(orientation="vertical", spacing="8dp")
            change = BigButton(text="换一张", kind="light")
            change.bind(on_release=lambda _b: self.pick())
            drop = BigButton(text="不要了", kind="light")
            drop.bind(on_release=lambda _b: setattr(self, "path", ""))
            buttons.add_widget(change)
            buttons.add_widget(drop)
            box.add_widget(buttons)
            return
        if self.with_camera:
            shoot = BigButton(text="拍照")
            shoot.bind(on_release=lambda _b: self.take())
            box.add_widget(shoot)
        choose = BigButton(text="选照片或扫描件", kind="light" if self.with_camera else "primary")
        choose.bind(on_release=lambda _b: self.pick())
        box.add_widget(choose)

    def pick(self) -> PhotoPicker:
        picker = PhotoPicker(self.app.data_dir, self._picked)
        picker.open(animation=False)
        return picker

    def take(self) -> CameraView:
        view = CameraView(self.app.data_dir, self.app.now, self._picked)
        view.open(animation=False)
        return view

    def _picked(self, path: str) -> None:
        self.path = path


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
