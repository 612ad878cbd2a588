"""The enrollment code as a QR code (issue #11): `sanji node add` prints one in the
terminal and writes a PNG; the tablet's enrollment screen reads it from a photo.

The QR code carries the hub's address, the one-time code and the SHA-256 fingerprint of
the hub's certificate:

    sanji:enroll?hub=https%3A%2F%2F192.168.1.10%3A8732&code=1234-5678-9012&fp=<64 hex>

With the fingerprint the tablet checks the certificate the hub shows before anything
is sent (sync.enroll); the code is still proven by the key exchange as when typed.
Generating: segno (pure Python). Reading: pyzbar over the zbar library (apt libzbar0
here, python-for-android's libzbar recipe on a tablet) with Pillow for the image.
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from app.services.errors import ServiceError

SCHEME = "sanji:enroll"
MAX_IMAGE_BYTES = 30 * 1024 * 1024


@dataclass(frozen=True)
class EnrollCard:
    code: str
    hub_url: str = ""           # empty when `sanji node add` was not told the address
    fingerprint: str = ""       # hex SHA-256 of the hub's certificate (sync.tls)

    def text(self) -> str:
        parts = [f"code={self.code}"]
        if self.hub_url:
            parts.insert(0, f"hub={quote(self.hub_url, safe='')}")
        if self.fingerprint:
            parts.append(f"fp={self.fingerprint}")
        return f"{SCHEME}?" + "&".join(parts)


def parse_card(text: str) -> EnrollCard:
    """An EnrollCard from a QR code's text; ServiceError (Chinese) if it is not one."""
    wrong = ServiceError("这个二维码不是三级联动的登记二维码：请用镇里用 sanji node add 打印的二维码。")
    text = text.strip()
    if not text.startswith(SCHEME + "?"):
        raise wrong
    fields = {k: v[0] for k, v in parse_qs(text[len(SCHEME) + 1:]).items()}
    code = re.sub(r"[\s\-]", "", fields.get("code", ""))
    hub, fp = fields.get("hub", ""), fields.get("fp", "").lower()
    if not (len(code) == 12 and code.isascii() and code.isdigit()):
        raise wrong
    if hub and urlsplit(hub).scheme not in ("http", "https"):
        raise wrong
    if fp and not re.fullmatch(r"[0-9a-f]{64}", fp):
        raise wrong
    return EnrollCard(f"{code[:4]}-{code[4:8]}-{code[8:]}", hub, fp)


def terminal_qr(card: EnrollCard) -> str:
    """The QR code as text for a terminal (two rows of modules per line)."""
    import segno
    out = io.StringIO()
    segno.make_qr(card.text(), error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def write_png(card: EnrollCard, path: Path) -> Path:
    """The QR code as a PNG, readable only by its owner (it holds a live code)."""
    import segno
    qr = segno.make_qr(card.text(), error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=8, border=4)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(buffer.getvalue())
    return path


def read_card(image: Path) -> EnrollCard:
    """The enrollment QR code in a photo or screenshot (PNG, JPEG…)."""
    try:
        from PIL import Image, UnidentifiedImageError
        from pyzbar import pyzbar
    except ImportError as exc:   # the zbar library missing (apt libzbar0)
        raise ServiceError("本机不能识别二维码（缺少识别组件）：请手工输入服务器地址和登记码。") from exc
    try:
        if image.stat().st_size > MAX_IMAGE_BYTES:
            raise ServiceError("这张图片太大（超过 30MB），请换一张二维码的照片或截图。")
        with Image.open(image) as picture:
            picture.load()
            found = pyzbar.decode(picture.convert("L"))
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise ServiceError("这个文件打不开，不是照片或截图：请选二维码的照片。") from exc
    texts = [item.data.decode("utf-8", "replace") for item in found
             if item.type == "QRCODE"]
    if not texts:
        raise ServiceError("照片里没有找到二维码：请把二维码拍清楚、拍完整（不要反光），再选这张照片；"
                           "也可以手工输入服务器地址和登记码。")
    return parse_card(texts[0])


__all__ = ["EnrollCard", "parse_card", "read_card", "terminal_qr", "write_png"]
