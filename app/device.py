"""Where the station keeps its data when python-for-android started it (main.py).

p4a's bootstrap puts the app's private files directory in ANDROID_PRIVATE. Residents'
records stay there, never on shared storage, where other apps could read them.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


class NotOnDevice(RuntimeError):
    """Started outside python-for-android (no ANDROID_PRIVATE)."""


def android_data_dir(environ: Mapping[str, str]) -> Path:
    private = environ.get("ANDROID_PRIVATE", "").strip()
    if not private:
        raise NotOnDevice("这是平板上的启动入口。在电脑上请运行：sanji app --data 数据目录")
    return Path(private) / "sanji"


__all__ = ["NotOnDevice", "android_data_dir"]
