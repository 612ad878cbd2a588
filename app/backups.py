"""`sanji backup` and `sanji restore` for both kinds of data directory.

A hub's backup is sync/hub/backups.py's (its key file opens it). A station's holds its
database (encrypted with the station's key), its attachments (sealed) and its keyring,
so a restored station opens with the same cadres' 密码 as when it was backed up —
and with no other: a backup taken before a cadre was added does not know that cadre.

A restored station may be behind the town: what it wrote and synced after the backup
is at the hub, what it wrote and never synced is lost. Until its first sync has brought
its own records back, it writes nothing (sync.store.RESYNC): a new record now would take
a number in its chain that the hub already holds for another.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.keyring import FILE as KEYRING_FILE
from app.keyring import RESTORED, Keyring
from sync.backup import BackupError, read_manifest, unpack, write_backup
from sync.hub.backups import backup_hub, restore_hub

if TYPE_CHECKING:
    from app.station import Station

STATION_DB = "station.sqlite"


def backup_data_dir(data: Path, to: Path, hub_key: bytes | None = None,
                    station: "Station | None" = None) -> dict[str, Any]:
    if station is not None:
        return backup_station(station, to)
    if hub_key is None:
        raise BackupError("备份服务器需要它的数据库密钥（--key-file）。")
    return backup_hub(data, hub_key, to)


def backup_station(station: "Station", to: Path) -> dict[str, Any]:
    manifest = {"kind": "station", "id": station.node_id, "level": station.level,
                "name": station.name}
    keyring = station.keyring.path.read_bytes()
    return write_backup(to, station.data / STATION_DB, station.key, manifest,
                        blob_dir=station.data / "blobs", extra={KEYRING_FILE: keyring})


def restore_data_dir(source: Path, data: Path, hub_key: bytes | None = None
                     ) -> dict[str, Any]:
    manifest = read_manifest(source)
    if manifest.get("kind") == "hub":
        if hub_key is None:
            raise BackupError("这是服务器的备份：恢复需要它的数据库密钥（--key-file）。")
        restore_hub(source, data, hub_key)
    elif manifest.get("kind") == "station":
        unpack(source, data, extra=(KEYRING_FILE,), check=_check_station)
    else:
        raise BackupError(f"{source} 不是服务器或服务站的备份。")
    return {"kind": manifest["kind"], "id": manifest.get("id"), "level": manifest.get("level"),
            "name": manifest.get("name"), "taken": _when(int(manifest.get("taken_ms", 0)))}


def _check_station(stage: Path, manifest: dict[str, Any]) -> None:
    """The database cannot be opened here (that takes a cadre's 密码), so the keyring is
    checked, and marked: the first open after this sets RESYNC (app.station)."""
    keyring = Keyring.of(stage)
    body = keyring.load()
    if not keyring.holders() and not body.get("setup_key"):
        raise BackupError("备份里的钥匙文件没有任何干部，打不开：请换一份备份。")
    body[RESTORED] = {"taken_ms": manifest.get("taken_ms")}
    keyring.save(body)


def _when(ms: int) -> str:
    from datetime import datetime
    return f"{datetime.fromtimestamp(ms / 1000):%Y-%m-%d %H:%M}" if ms else "时间不明"


__all__ = ["backup_data_dir", "backup_station", "restore_data_dir"]
