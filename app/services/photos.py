"""Photos and scans attached to a record (the signed 调解笔录, materials, evidence): what the
tablet reads from a picked file or keeps from its camera, checked before anything is
stored.

    attachment_from_file(path)      an Attachment, or ServiceError saying what to do
    keep_camera_shot(data_dir, …)   a camera shot saved under ``photos/`` (then attached
                                    like any picked file)
    kind_of(data)                   "image/jpeg" | "image/png" | "application/pdf" | None

The type is read from the bytes themselves (a renamed file cannot pass as a photo); the
size is capped below the schemas' 100 MB so a mistaken pick (a video) is refused before it
is copied into the store.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.services.errors import ServiceError
from app.services.workflow import Attachment

PHOTOS = "photos"
MAX_BYTES = 20 * 1024 * 1024
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
              (b"%PDF-", "application/pdf"))
SUFFIXES = {".jpg", ".jpeg", ".png", ".pdf"}


def kind_of(data: bytes) -> str | None:
    return next((mime for magic, mime in SIGNATURES if data.startswith(magic)), None)


def attachment_from_file(path: Path | str, max_bytes: int = MAX_BYTES) -> Attachment:
    """The picked file as an attachment: a JPEG or PNG photo or a PDF scan, at most
    ``max_bytes``; anything else is refused with a Chinese message."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > max_bytes:
            raise ServiceError(f"这个文件太大（{size / 1024 / 1024:.0f} MB），最大 "
                               f"{max_bytes // 1024 // 1024} MB：请选照片或扫描件，不要选视频。")
        data = file.read_bytes()
    except OSError as exc:
        raise ServiceError(f"打不开这个文件（{file.name}），请重新选一张。") from exc
    mime = kind_of(data)
    if mime is None:
        raise ServiceError(f"“{file.name}”不是照片或扫描件：只能选 jpg、png 照片或 pdf 扫描件。")
    if not data:
        raise ServiceError("这个文件是空的，请重新拍照或重新选。")
    return Attachment(data, mime, file.name[:200])


def keep_camera_shot(data_dir: Path, data: bytes, now: datetime) -> Path:
    """Save a camera shot (PNG or JPEG bytes) as photos/拍照-<time>.<ext> and return it."""
    mime = kind_of(data)
    if mime not in ("image/png", "image/jpeg"):
        raise ServiceError("没有拍到照片，请再拍一次。")
    folder = data_dir / PHOTOS
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"拍照-{now:%Y%m%d-%H%M%S}"
    path = folder / f"{stem}.{'png' if mime == 'image/png' else 'jpg'}"
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(f"{stem}-{n}{path.suffix}")
    path.write_bytes(data)
    return path


__all__ = ["MAX_BYTES", "PHOTOS", "SUFFIXES", "attachment_from_file", "keep_camera_shot",
           "kind_of"]
