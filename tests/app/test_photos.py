"""Photos and scans picked or taken on the tablet (app.services.photos): only real JPEG,
PNG or PDF bytes of a sane size are attached; a camera shot is kept under photos/."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from app.services.errors import ServiceError
from app.services.photos import attachment_from_file, keep_camera_shot, kind_of


def picture(path: Path, fmt: str = "JPEG") -> Path:
    Image.new("RGB", (64, 48), (180, 40, 40)).save(path, fmt)
    return path


def test_photos_and_scans_are_read_by_their_bytes(tmp_path: Path) -> None:
    jpeg = attachment_from_file(picture(tmp_path / "笔录.JPG"))
    png = attachment_from_file(picture(tmp_path / "材料.png", "PNG"))
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n")
    assert (jpeg.mime, jpeg.name) == ("image/jpeg", "笔录.JPG") and jpeg.data[:3] == b"\xff\xd8\xff"
    assert png.mime == "image/png" and attachment_from_file(scan).mime == "application/pdf"


def test_anything_else_is_refused_in_chinese(tmp_path: Path) -> None:
    fake = tmp_path / "照片.jpg"
    fake.write_text("这不是照片")
    with pytest.raises(ServiceError, match="不是照片或扫描件：只能选 jpg、png 照片或 pdf 扫描件"):
        attachment_from_file(fake)
    with pytest.raises(ServiceError, match="打不开这个文件"):
        attachment_from_file(tmp_path / "没有.jpg")
    big = picture(tmp_path / "大.jpg")
    with pytest.raises(ServiceError, match="这个文件太大"):
        attachment_from_file(big, max_bytes=100)


def test_a_camera_shot_is_kept_as_a_photo_of_the_station(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 90, 160)).save(out, "PNG")
    now = datetime(2026, 11, 27, 10, 30, 5)
    first = keep_camera_shot(tmp_path, out.getvalue(), now)
    second = keep_camera_shot(tmp_path, out.getvalue(), now)
    assert first == tmp_path / "photos" / "拍照-20261127-103005.png"
    assert second.name == "拍照-20261127-103005-2.png" and kind_of(second.read_bytes())
    with pytest.raises(ServiceError, match="没有拍到照片"):
        keep_camera_shot(tmp_path, b"", now)
