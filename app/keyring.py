"""A station's keyring: its database key, wrapped once for each cadre's 密码 (PIN).

The station's database (station.sqlite, SQLCipher: sync/db.py) is encrypted with one
random 256-bit key. That key is never stored in clear: for each cadre of the station it
is wrapped (AES-256-GCM) under a key derived from the cadre's PIN with Argon2id, a
memory-hard KDF (RFC 9106), so any cadre of the station opens the same database with
their own PIN and a stolen tablet holds only ciphertext (个人信息保护法 Art 51(三);
RULES.md §5: protect what a lost tablet holds). The file lives beside the database:

    station.keys (JSON, written atomically)
      version        1
      setup_key      hex of the key while the station has no cadre yet, else absent
      cadres         {id: {name, post, kdf: {alg, memory_kib, iterations, lanes, salt},
                           nonce, wrapped, failures, wait_until}}
      unsynced       {count, at}: how many own records the hub had not confirmed when the
                     app last locked (shown on the sign-in screen, before any unlock)
      station        {name, level}: the top bar's title before any unlock

What is in clear there, and why: the cadres' names and posts (the sign-in screen lists
them before anyone has unlocked; village cadres' names and posts are public anyway — 村务
公开), the KDF's salt and parameters, the failure counts, and one number of unsynced
records. No resident's data.

Parameters (Argon2id, memory 64 MiB, 3 passes, 4 lanes: RFC 9106 §4's second
recommended option, for memory-constrained uses). The cost is paid once per sign-in:
about 0.15 s on the development machine's one core, a few tenths of a second on a
mid-range tablet, inside the 2.5 s start budget (bench.app measures it). Each wrap
keeps its own parameters, so they can be raised later without locking anyone out.

What this does not do. A PIN of 6 digits has 10⁶ values: whoever copies the file and the
database off the tablet can try them all offline, and the KDF only makes that slow
(about 10⁶ × 64 MiB × 3 passes of work per cadre: days on one computer, much less on
many). Growing delays after wrong tries (`delay_ms`, persisted here, so restarting the
app does not reset them) stop a guesser at the screen, not one with the files. Binding
the key to the tablet's hardware (the Android Keystore, which rate-limits in hardware)
would close that gap; it needs the device, and is not done here.

Until the first cadre exists (right after enrollment) the key sits in `setup_key` in
clear; adding the first cadre re-encrypts the database under a fresh key (app/accounts.py)
and removes it, so a copy taken before then opens nothing of what came after.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from sync.db import KEY_BYTES

FILE = "station.keys"
RESTORED = "restored"   # field set by `sanji restore` (app.backups), taken up at the next open
VERSION = 1
_AAD = b"sanji station keyring v1|"

# Wrong tries that cost nothing (typos), then the wait doubles from 30 s up to an hour.
FREE_TRIES = 3
FIRST_WAIT_MS = 30_000
MAX_WAIT_MS = 60 * 60_000


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4

    def derive(self, pin: str, salt: bytes) -> bytes:
        return Argon2id(salt=salt, length=32, iterations=self.iterations, lanes=self.lanes,
                        memory_cost=self.memory_kib).derive(pin.encode("utf-8"))


KDF = KdfParams()


@dataclass(frozen=True)
class Holder:
    """A cadre who can open this station's database."""
    id: str
    name: str
    post: str


class KeyringError(ValueError):
    """A refusal with a Chinese message that says what to do."""


class WrongPin(KeyringError):
    def __init__(self, message: str, wait_ms: int) -> None:
        super().__init__(message)
        self.wait_ms = wait_ms


class Waiting(KeyringError):
    def __init__(self, message: str, wait_ms: int) -> None:
        super().__init__(message)
        self.wait_ms = wait_ms


def delay_ms(failures: int) -> int:
    """How long to wait after `failures` wrong tries in a row."""
    if failures <= FREE_TRIES:
        return 0
    return min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - FREE_TRIES - 1))


def say_wait(ms: int) -> str:
    seconds = max(1, (ms + 999) // 1000)
    if seconds < 60:
        return f"{seconds} 秒"
    minutes = (seconds + 59) // 60
    return f"{minutes} 分钟"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


class Keyring:
    def __init__(self, path: Path, kdf: KdfParams = KDF) -> None:
        self.path = Path(path)
        self.kdf = kdf

    @classmethod
    def of(cls, data: Path) -> "Keyring":
        return cls(Path(data) / FILE)

    # the file -----------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.is_file()

    def load(self) -> dict[str, Any]:
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"version": VERSION, "cadres": {}}
        except (OSError, ValueError) as exc:
            raise KeyringError(f"本机的钥匙文件 {self.path} 已损坏，数据打不开：请从备份恢复"
                               "（sanji restore），或从镇里重新登记本机。") from exc
        if not isinstance(body, dict) or body.get("version") != VERSION:
            raise KeyringError(f"本机的钥匙文件 {self.path} 不是这个版本的程序能读的：请升级程序。")
        body.setdefault("cadres", {})
        return body

    def save(self, body: dict[str, Any]) -> None:
        """Write atomically: a crash leaves the old file or the new one, never half."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    # setup ------------------------------------------------------------------------------
    def create(self, setup_key: bytes) -> None:
        """A new keyring for a new database, no cadre yet (the key is held in clear)."""
        if self.exists():
            raise KeyringError(f"{self.path} 已经存在。")
        self.save({"version": VERSION, "setup_key": setup_key.hex(), "cadres": {}})

    def setup_key(self) -> bytes | None:
        raw = self.load().get("setup_key")
        return bytes.fromhex(raw) if raw else None

    def end_setup(self) -> None:
        body = self.load()
        if body.pop("setup_key", None) is not None:
            self.save(body)

    # cadres -----------------------------------------------------------------------------
    def holders(self) -> list[Holder]:
        cadres = self.load()["cadres"]
        return sorted((Holder(cid, str(c.get("name", "")), str(c.get("post", "")))
                       for cid, c in cadres.items()), key=lambda h: (h.name, h.id))

    def holds(self, cadre_id: str) -> bool:
        return cadre_id in self.load()["cadres"]

    def wrap(self, cadre_id: str, name: str, post: str, pin: str, key: bytes) -> None:
        """Let `cadre_id` open the database with `pin` (a new cadre, or a new PIN)."""
        if len(key) != KEY_BYTES:
            raise ValueError("a database key is 32 bytes")
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        wrapped = AESGCM(self.kdf.derive(pin, salt)).encrypt(nonce, key, _AAD + cadre_id.encode())
        body = self.load()
        body["cadres"][cadre_id] = {
            "name": name, "post": post,
            "kdf": {"alg": "argon2id", "memory_kib": self.kdf.memory_kib,
                    "iterations": self.kdf.iterations, "lanes": self.kdf.lanes,
                    "salt": _b64(salt)},
            "nonce": _b64(nonce), "wrapped": _b64(wrapped), "failures": 0, "wait_until": 0}
        self.save(body)

    def remove(self, cadre_id: str) -> None:
        body = self.load()
        if body["cadres"].pop(cadre_id, None) is not None:
            self.save(body)

    def rename(self, cadre_id: str, name: str, post: str) -> None:
        body = self.load()
        entry = body["cadres"].get(cadre_id)
        if entry is not None:
            entry["name"], entry["post"] = name, post
            self.save(body)

    def wait_ms(self, cadre_id: str, now_ms: int) -> int:
        entry = self.load()["cadres"].get(cadre_id) or {}
        return max(0, int(entry.get("wait_until", 0)) - now_ms)

    def unlock(self, cadre_id: str, pin: str, now_ms: int) -> bytes:
        """The database key, if `pin` is this cadre's. A wrong PIN is counted (in the
        file, before this returns) and, past the free tries, makes the next try wait."""
        body = self.load()
        entry = body["cadres"].get(cadre_id)
        if entry is None:
            raise KeyringError("没有这位干部，请在名单里重新选择。")
        wait = int(entry.get("wait_until", 0)) - now_ms
        if wait > 0:
            raise Waiting(f"密码输错的次数太多，请 {say_wait(wait)}后再试。", wait)
        kdf = entry["kdf"]
        params = KdfParams(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"]))
        try:
            kek = params.derive(pin, _unb64(kdf["salt"]))
            key = AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]),
                                      _AAD + cadre_id.encode())
        except InvalidTag:
            return self._wrong(cadre_id, now_ms)
        if entry.get("failures") or entry.get("wait_until"):
            body = self.load()
            body["cadres"][cadre_id].update(failures=0, wait_until=0)
            self.save(body)
        return key

    def _wrong(self, cadre_id: str, now_ms: int) -> bytes:
        body = self.load()                     # re-read: another process may have counted
        entry = body["cadres"][cadre_id]
        failures = int(entry.get("failures", 0)) + 1
        wait = delay_ms(failures)
        entry.update(failures=failures, wait_until=now_ms + wait if wait else 0)
        self.save(body)
        if wait:
            raise WrongPin(f"密码不对。已经连续输错 {failures} 次，请 {say_wait(wait)}后再试"
                           "（再错等待会更久）。忘记了密码，请本站另一位干部帮您重设。", wait)
        left = FREE_TRIES - failures
        more = f"还可以再试 {left} 次，" if left > 0 else ""
        raise WrongPin(f"密码不对，请重新输入。{more}再错就要等待一会儿才能再试。", 0)

    # what the sign-in screen may say before any unlock -------------------------------------
    def note_unsynced(self, count: int, at_ms: int) -> None:
        body = self.load()
        if body.get("unsynced") != {"count": count, "at": at_ms}:
            body["unsynced"] = {"count": int(count), "at": int(at_ms)}
            self.save(body)

    def note_station(self, name: str, level: str) -> None:
        """The station's own name and level, for the top bar before any unlock (a village's
        name is no one's personal data)."""
        body = self.load()
        if body.get("station") != {"name": name, "level": level}:
            body["station"] = {"name": name, "level": level}
            self.save(body)

    def station(self) -> tuple[str, str]:
        label = self.load().get("station") or {}
        return str(label.get("name", "")), str(label.get("level", ""))

    def unsynced(self) -> tuple[int, int] | None:
        note = self.load().get("unsynced")
        if not isinstance(note, dict):
            return None
        return int(note.get("count", 0)), int(note.get("at", 0))


__all__ = ["FILE", "KDF", "Holder", "KdfParams", "Keyring", "KeyringError", "Waiting",
           "WrongPin", "delay_ms", "say_wait"]
