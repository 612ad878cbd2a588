"""Looking after a running hub's database: integrity checks at start and on a schedule,
and scheduled backups with retention (issue #11 "Backups and damage").

A damaged database (a page that fails SQLite's check or SQLCipher's HMAC: a dying
disk, a file copied half-way) must not be served: every answer would be a 500, or
worse, a pull that silently skips what it cannot read. So once a check finds damage,
or a request meets SQLite's "database disk image is malformed", the hub answers every
request with 503 `hub_damaged`, whose message says what happened and how to restore;
`/v1/status` says `"database": "damaged"` (and `"healthy": false`) with the same text; the log and the terminal
say it too. It does not try to repair: the backup and the children's high-water marks
are the repair (sync/hub/backups.py).
"""
from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.db import WrongKey, connect, integrity_problems

log = logging.getLogger("sanji.hub")


def restore_advice(data: Path) -> str:
    return ("请停止这个服务器，用最近的一份备份恢复到一个新目录：sanji restore --from 备份文件 "
            f"--data 新目录 --key-file 密钥文件（原目录 {data} 先留着别删），再用新目录启动服务器。"
            "下级服务站和上级服务器会把备份之后的记录补回来。")


@dataclass
class Health:
    """What the API and /v1/status read: None while the database is sound."""
    data: Path
    damage: str | None = None
    checked_at: int | None = None
    last_backup: dict[str, Any] | None = None
    backup_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def damaged(self) -> bool:
        return self.damage is not None

    def mark_damaged(self, reason: str) -> None:
        with self._lock:
            first = self.damage is None
            self.damage = reason
        if first:
            text = f"服务器数据库已损坏，已停止服务：{reason}。{restore_advice(self.data)}"
            log.error("%s", text)
            print(f"错误：{text}", file=sys.stderr, flush=True)

    def message(self) -> str:
        return (f"服务器数据库已损坏（{self.damage}），暂停服务以免出错。"
                f"{restore_advice(self.data)}")

    def report(self) -> dict[str, Any]:
        return {"database": "damaged" if self.damaged else "ok", "damage": self.damage,
                "restore": restore_advice(self.data) if self.damaged else None,
                "checked_at": self.checked_at, "last_backup": self.last_backup,
                "last_backup_error": self.backup_error}


def check_database(db: Path, key: bytes, quick: bool = True) -> str | None:
    """What is wrong with the hub file (None: nothing), on a connection of its own."""
    if not db.is_file():
        return f"找不到数据库文件 {db}"
    try:
        conn = connect(db, key)
    except WrongKey:
        return "数据库文件打不开（第一页损坏，或密钥不是这个服务器的）"
    except Exception as exc:   # any failure to open is damage to report, not a crash
        return f"数据库文件打不开（{type(exc).__name__}: {exc}）"
    try:
        problems = integrity_problems(conn, quick=quick)
    finally:
        conn.close()
    if not problems:
        return None
    more = f"等 {len(problems)} 处" if len(problems) > 1 else ""
    return f"完整性检查发现问题：{problems[0]}{more}"


@dataclass
class Care:
    """The schedule (from `sanji hub`'s options)."""
    backup_dir: Path | None = None
    backup_every_s: float = 24 * 3600.0
    keep: int = 7
    check_every_s: float = 3600.0


class Caretaker:
    """The thread that checks and backs up on schedule."""

    def __init__(self, data: Path, key: bytes, health: Health, care: Care,
                 clock: Callable[[], float] = time.time) -> None:
        self.data, self.key, self.health, self.care, self.clock = data, key, health, care, clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_check = clock() + care.check_every_s if care.check_every_s > 0 else None
        self._next_backup = (clock() + care.backup_every_s
                             if care.backup_dir is not None and care.backup_every_s > 0 else None)

    def start(self) -> None:
        if self._next_check is None and self._next_backup is None:
            return
        self._thread = threading.Thread(target=self._run, name="sanji-care", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            now = self.clock()
            if self._next_check is not None and now >= self._next_check:
                self._next_check = now + self.care.check_every_s
                self.check_now()
            if self._next_backup is not None and now >= self._next_backup:
                self._next_backup = now + self.care.backup_every_s
                self.backup_now()

    def check_now(self) -> str | None:
        problem = check_database(self.data / "hub.sqlite", self.key)
        self.health.checked_at = int(self.clock() * 1000)
        if problem is not None:
            self.health.mark_damaged(problem)
        return problem

    def backup_now(self) -> dict[str, Any] | None:
        """One scheduled backup, then drop the oldest beyond `keep`. A damaged hub is not
        backed up (it would push a good backup out of the kept ones)."""
        from sync.hub.backups import backup_hub, prune, scheduled_name
        folder = self.care.backup_dir
        if folder is None or self.health.damaged:
            return None
        try:
            done = backup_hub(self.data, self.key, folder / scheduled_name(self.clock()),
                              now=self.clock)
        except Exception as exc:   # reported in /v1/status and the log; serving goes on
            self.health.backup_error = f"{type(exc).__name__}: {exc}"
            log.exception("scheduled backup failed")
            return None
        pruned = prune(folder, self.care.keep)
        self.health.backup_error = None
        self.health.last_backup = {"file": done["file"], "at": done["taken_ms"],
                                   "size": done["size"], "pruned": len(pruned)}
        log.info("backup written to %s (%d bytes); %d old ones removed", done["file"],
                 done["size"], len(pruned))
        return done


__all__ = ["Care", "Caretaker", "Health", "check_database", "restore_advice"]
