"""Backups of a data directory as one file, taken while the hub or app runs, and their
restore (issue #11 "Backups and damage").

A backup is an uncompressed tar (compressing ciphertext gains nothing) of:
    manifest.json   what it is: format, kind (hub | station), id, level, name, when;
                    the database's file name; no personal data
    <database>      a consistent copy of the database, made by SQLCipher's export inside
                    one read transaction (sync.db.export): writers go on meanwhile, and
                    the copy is encrypted with the same key as the live file
    <extra files>   what the directory needs beside its database (a station's keyring)
    blobs/xx/<sha>  the finished attachment files as they lie on disk (sealed, see
                    sync/blobfiles.py); partial uploads are not kept
So everything in it except the manifest is ciphertext: a hub's backup opens with the
hub's key file, a station's with one of its cadres' 密码.

It is written beside the target as a hidden .partial file and renamed into place once
complete and fsynced, so a crash never leaves a half backup under the final name. Its
database is checked (opened with the key, PRAGMA integrity_check) before it is kept.

Restore unpacks into a directory that does not exist yet (or is empty), through a
hidden sibling renamed at the end; members are matched against what a backup may hold,
so a crafted file cannot write outside the directory.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import tarfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sync.db import connect, export_checked, integrity_problems
from sync.errors import StoreError

FORMAT, VERSION = "sanji-backup", 1
MANIFEST = "manifest.json"
_BLOB = re.compile(r"^blobs/[0-9a-f]{2}/[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class BackupError(StoreError):
    def __init__(self, message: str) -> None:
        super().__init__("backup", message)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_backup(to: Path, db: Path, key: bytes, manifest: Mapping[str, Any],
                 blob_dir: Path | None = None, extra: Mapping[str, bytes] | None = None,
                 now: Callable[[], float] = time.time) -> dict[str, Any]:
    """Back the database at `db` (and the blobs, and `extra` files) up into `to`."""
    to = Path(to)
    if to.exists():
        raise BackupError(f"{to} 已经存在，不会覆盖：请换一个文件名。")
    to.parent.mkdir(parents=True, exist_ok=True)
    partial = to.with_name(f".{to.name}.partial")
    copy = to.with_name(f".{to.name}.db")
    for leftover in (partial, copy):
        leftover.unlink(missing_ok=True)
    body = {**manifest, "format": FORMAT, "version": VERSION, "database": db.name,
            "taken_ms": int(now() * 1000)}
    blobs = 0
    try:
        problems = export_checked(db, key, copy, key)
        if problems:
            raise BackupError(f"备份出的数据库没有通过检查（{problems[0]}）：原数据库可能已损坏，"
                              "请先检查服务器日志。")
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            _add_bytes(tar, MANIFEST, json.dumps(body, ensure_ascii=False).encode("utf-8"))
            tar.add(copy, arcname=db.name)
            for name, data in (extra or {}).items():
                _add_bytes(tar, name, data)
            if blob_dir is not None and blob_dir.is_dir():
                for folder in sorted(blob_dir.iterdir()):
                    if folder.name == "partial" or not folder.is_dir():
                        continue
                    for path in sorted(folder.iterdir()):
                        name = f"blobs/{folder.name}/{path.name}"
                        if _BLOB.match(name):
                            tar.add(path, arcname=name)
                            blobs += 1
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, to)
        _fsync_dir(to.parent)
    finally:
        partial.unlink(missing_ok=True)
        for side in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            side.unlink(missing_ok=True)
    return {"file": str(to), "size": to.stat().st_size, "blobs": blobs, **body}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r:") as tar:
            member = tar.extractfile(MANIFEST)
            body = json.loads(member.read()) if member is not None else None
    except FileNotFoundError as exc:
        raise BackupError(f"找不到备份文件 {path}。") from exc
    except (tarfile.TarError, KeyError, ValueError, OSError) as exc:
        raise BackupError(f"{path} 不是三级联动的备份文件，或已损坏。") from exc
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise BackupError(f"{path} 不是三级联动的备份文件。")
    if body.get("version") != VERSION:
        raise BackupError(f"{path} 是另一个版本的程序做的备份：请用相同版本的程序恢复。")
    if not isinstance(body.get("database"), str) or not _NAME.match(body["database"]):
        raise BackupError(f"{path} 的说明不完整，不能恢复。")
    return body


def check_target(data: Path) -> None:
    """A restore writes only into a new or empty directory, never over data."""
    if data.exists() and (not data.is_dir() or any(data.iterdir())):
        raise BackupError(f"{data} 不是空目录：恢复只写入新的（或空的）目录，不会覆盖现有数据。"
                          "请换一个目录，或先把现有目录改名留存。")


def unpack(path: Path, data: Path, extra: tuple[str, ...] = (),
           check: Callable[[Path, dict[str, Any]], None] = lambda d, m: None
           ) -> dict[str, Any]:
    """Restore the backup `path` into the new directory `data`. `check(staged dir,
    manifest)` runs on the unpacked copy before it is moved into place (open it with
    its key, say); whatever it raises leaves `data` untouched."""
    manifest = read_manifest(path)
    data = Path(data)
    check_target(data)
    allowed = {MANIFEST, manifest["database"], *extra}
    stage = data.with_name(f".{data.name}.restoring")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    try:
        with tarfile.open(path, "r:") as tar:
            for member in tar:
                if member.name == MANIFEST:
                    continue
                if not member.isfile() or not (member.name in allowed or _BLOB.match(member.name)):
                    raise BackupError(f"备份文件里有不该有的内容（{member.name}），不能恢复。")
                target = stage / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                with open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
                    out.flush()
                    os.fsync(out.fileno())
        (stage / "blobs" / "partial").mkdir(parents=True, exist_ok=True)
        if not (stage / manifest["database"]).is_file():
            raise BackupError(f"{path} 里没有数据库，不能恢复。")
        check(stage, manifest)
        if data.exists():
            data.rmdir()
        os.replace(stage, data)
        _fsync_dir(data.parent)
    except tarfile.TarError as exc:
        raise BackupError(f"{path} 已损坏，不能恢复：{exc}") from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return manifest


def check_database(db: Path, key: bytes) -> None:
    """Open a restored database with its key and run SQLite's full check."""
    conn = connect(db, key)
    try:
        problems = integrity_problems(conn)
    finally:
        conn.close()
    if problems:
        raise BackupError(f"备份里的数据库没有通过检查（{problems[0]}）：请换一份备份。")


__all__ = ["BackupError", "FORMAT", "check_database", "check_target", "read_manifest", "unpack",
           "write_backup"]
