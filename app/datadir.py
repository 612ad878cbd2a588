"""What a data directory is — a hub's, a station's, or nothing yet — found out without
creating anything, so an operator's command on the wrong directory leaves it as it was.

A hub directory holds hub.sqlite with an identity (`sanji hub init`, or the first
`sanji hub`); a station directory holds station.sqlite (`sanji enroll`, `sanji app`).
Both files are encrypted (sync/db.py), so a hub's identity is read from the plain
hub.json beside its database (its id and level, nothing personal), written when the
hub gets its identity; an older release's unencrypted hub.sqlite is read directly.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sync.db import is_plain

HUB_FILE, STATION_FILE, HUB_MARKER = "hub.sqlite", "station.sqlite", "hub.json"


class DataDirError(Exception):
    """The directory is not what the command needs; the message says what to do."""


def hub_level(data: Path) -> str | None:
    """The level of the hub whose directory this is, or None if it is none (read only)."""
    path = data / HUB_FILE
    if not path.is_file():
        return None
    if not is_plain(path):
        try:
            marker = json.loads((data / HUB_MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        level = marker.get("level") if isinstance(marker, dict) else None
        return str(level) if marker.get("hub_id") and level in ("town", "county") else None
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('hub_id', 'level')"))
    except sqlite3.Error:
        return None           # not a hub file (or one that was never given an identity)
    finally:
        conn.close()
    return rows.get("level") if rows.get("hub_id") else None


def is_station(data: Path) -> bool:
    return (data / STATION_FILE).is_file()


def kind_of(data: Path) -> str:
    """"hub", "station" or "new"."""
    if hub_level(data) is not None:
        return "hub"
    return "station" if is_station(data) else "new"


def require_hub(data: Path) -> None:
    kind = kind_of(data)
    if kind == "station":
        raise DataDirError(f"{data} 是服务站（平板或电脑）的数据目录，不是服务器：请换成服务器的数据目录。")
    if kind == "new":
        raise DataDirError(f"{data} 还不是服务器数据目录：请先运行 sanji hub init --level town "
                           f"--data {data} --name 镇名（县里用 --level county）。")


def require_station(data: Path) -> None:
    kind = kind_of(data)
    if kind == "hub":
        raise DataDirError(f"{data} 是服务器的数据目录：服务器自己向上级同步（sanji hub --upstream "
                           "县服务器地址），不用 sanji sync。")
    if kind == "new":
        raise DataDirError(f"{data} 还不是服务站数据目录：请先用 sanji enroll 登记本机。")


def refuse_hub(data: Path) -> None:
    if kind_of(data) == "hub":
        raise DataDirError(f"{data} 是服务器的数据目录，不能当作服务站打开：请换一个目录。")


@contextmanager
def undone_on_failure(data: Path) -> Iterator[None]:
    """Whatever the block creates in `data` is removed again if it fails, so a refused
    enrollment leaves the directory as it found it (or absent, if it was)."""
    existed = data.exists()
    before = set(data.iterdir()) if existed else set()
    try:
        yield
    except BaseException:
        if not existed:
            shutil.rmtree(data, ignore_errors=True)
        elif data.is_dir():
            for path in set(data.iterdir()) - before:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        raise


__all__ = ["DataDirError", "hub_level", "is_station", "kind_of", "refuse_hub",
           "require_hub", "require_station", "undone_on_failure"]
