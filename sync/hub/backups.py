"""A hub's backups: `sanji backup` / `sanji restore` for a hub's directory, and the
scheduled backups with retention that `sanji hub --backup-dir` keeps (sync/hub/care.py).

A restored hub starts a new epoch: every child's pull cursor then belongs to another
epoch, so each child reconciles by per-origin high-water marks, and each station's push
finds where the hub's copy of its chain ends and re-sends the rest (DESIGN.md "Pull",
issue #2 §3). Its parent still holds what the town relayed before the disk was lost,
and the town's cursor with the parent is the one in the backup: what came down from the
county since then comes down again (stored once: events are deduplicated by id).
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sync.backup import check_database, unpack, write_backup
from sync.db import Meta, connect, transaction
from sync.ids import uuid7

HUB_DB, BLOBS = "hub.sqlite", "blobs"
SUFFIX = ".sanji-backup"
_SCHEDULED = re.compile(r"^hub-(\d{8}-\d{6})" + re.escape(SUFFIX) + "$")


def backup_hub(data: Path, key: bytes, to: Path,
               now: Callable[[], float] = time.time) -> dict[str, Any]:
    conn = connect(data / HUB_DB, key)
    try:
        meta = Meta(conn)
        manifest = {"kind": "hub", "id": meta.get("hub_id"), "level": meta.get("level"),
                    "name": meta.get("name")}
    finally:
        conn.close()
    return write_backup(to, data / HUB_DB, key, manifest, blob_dir=data / BLOBS, now=now)


def restore_hub(source: Path, data: Path, key: bytes,
                now: Callable[[], float] = time.time) -> dict[str, Any]:
    """Unpack a hub backup into the new directory `data`, check it with `key`, and give
    it a new epoch (see the module doc)."""
    def check(stage: Path, manifest: dict[str, Any]) -> None:
        db = stage / HUB_DB
        check_database(db, key)
        conn = connect(db, key)
        try:
            meta = Meta(conn)
            with transaction(conn):
                meta.set("epoch", uuid7())
                meta.set("restored_at", int(now() * 1000))
                meta.set("restored_from", str(manifest.get("taken_ms")))
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    return unpack(source, data, check=check)


def scheduled_name(at: float) -> str:
    return f"hub-{datetime.fromtimestamp(at):%Y%m%d-%H%M%S}{SUFFIX}"


def scheduled_backups(folder: Path) -> list[Path]:
    """The scheduled backups in `folder`, oldest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _SCHEDULED.match(p.name))


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` scheduled backups; returns what was deleted.
    Only files named as this schedule names them are touched."""
    found = scheduled_backups(folder)
    gone = found[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


__all__ = ["backup_hub", "prune", "restore_hub", "scheduled_backups", "scheduled_name"]
