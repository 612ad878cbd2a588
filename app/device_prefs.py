"""本机设置: what this one tablet prefers, kept in ``<data>/device.json`` — not synced, not
the town's rules (those are config events): today only whether it shows large text.

A missing or unreadable file means the defaults; the file is replaced whole (written to a
temporary name, then renamed), so a power cut never leaves half a file."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FILE = "device.json"
LARGE_TEXT_SCALE = 1.3     # 大字: every text 30 % larger (on top of the system's own scale)


@dataclass(frozen=True)
class DevicePrefs:
    large_text: bool = False


def load_prefs(data_dir: Path) -> DevicePrefs:
    try:
        raw = json.loads((Path(data_dir) / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DevicePrefs()
    if not isinstance(raw, dict):
        return DevicePrefs()
    return DevicePrefs(large_text=raw.get("large_text") is True)


def save_prefs(data_dir: Path, prefs: DevicePrefs) -> None:
    path = Path(data_dir) / FILE
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(asdict(prefs)), encoding="utf-8")
    os.replace(scratch, path)


__all__ = ["DevicePrefs", "LARGE_TEXT_SCALE", "load_prefs", "save_prefs"]
