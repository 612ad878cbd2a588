"""Cadres on a shared tablet: a per-device list with PIN sign-in.

The PIN's scrypt hash stays on this device (RULES.md §5: protect what a lost tablet
holds); the cadre's name and post travel as a `cadre.registered` event so every level
can show who did what. Five wrong PINs lock that cadre for five minutes.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
from dataclasses import dataclass

from sync.db import transaction
from sync.ids import uuid7
from sync.store import NewEvent, Store

MAX_TRIES = 5
LOCK_MS = 5 * 60 * 1000


class AccountError(ValueError):
    """A refusal with a Chinese message that says what to do."""


@dataclass(frozen=True)
class Cadre:
    id: str
    name: str
    post: str


def _ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS local_users(id TEXT PRIMARY KEY, name TEXT NOT NULL,"
                 " post TEXT NOT NULL, salt BLOB NOT NULL, pin_hash BLOB NOT NULL,"
                 " active INTEGER NOT NULL DEFAULT 1, failures INTEGER NOT NULL DEFAULT 0,"
                 " locked_until INTEGER NOT NULL DEFAULT 0)")


def _hash(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=2**14, r=8, p=1, dklen=32)


def check_pin_shape(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 6):
        raise AccountError("PIN 要 4 到 6 位数字。")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise AccountError("PIN 太容易被猜到（如 1111、1234），请换一个。")


def add_cadre(store: Store, name: str, post: str, pin: str, author: str | None = None) -> Cadre:
    name, post = name.strip(), post.strip()
    if not 1 <= len(name) <= 20:
        raise AccountError("请填写干部姓名（1 到 20 个字）。")
    if not 1 <= len(post) <= 30:
        raise AccountError("请填写职务，例如 村支书、村委委员、便民服务站代办员。")
    check_pin_shape(pin)
    _ensure_table(store.conn)
    cadre_id = uuid7()
    salt = os.urandom(16)
    with transaction(store.conn):
        store.conn.execute("INSERT INTO local_users(id, name, post, salt, pin_hash) VALUES(?,?,?,?,?)",
                           (cadre_id, name, post, salt, _hash(pin, salt)))
    store.append(NewEvent("cadre.registered", cadre_id, {"name": name, "post": post},
                          author or cadre_id))
    return Cadre(cadre_id, name, post)


def list_cadres(store: Store) -> list[Cadre]:
    _ensure_table(store.conn)
    return [Cadre(*row) for row in store.conn.execute(
        "SELECT id, name, post FROM local_users WHERE active=1 ORDER BY name")]


def sign_in(store: Store, cadre_id: str, pin: str, now_ms: int) -> Cadre:
    _ensure_table(store.conn)
    row = store.conn.execute("SELECT name, post, salt, pin_hash, failures, locked_until "
                             "FROM local_users WHERE id=? AND active=1", (cadre_id,)).fetchone()
    if row is None:
        raise AccountError("没有这位干部，请在名单里重新选择。")
    name, post, salt, pin_hash, failures, locked_until = row
    if locked_until > now_ms:
        minutes = (locked_until - now_ms) // 60000 + 1
        raise AccountError(f"PIN 连续输错 {MAX_TRIES} 次，已锁定，请 {minutes} 分钟后再试。")
    if not hmac.compare_digest(_hash(pin, salt), pin_hash):
        failures += 1
        locked = now_ms + LOCK_MS if failures >= MAX_TRIES else 0
        with transaction(store.conn):
            store.conn.execute("UPDATE local_users SET failures=?, locked_until=? WHERE id=?",
                               (0 if locked else failures, locked, cadre_id))
        left = MAX_TRIES - failures
        raise AccountError("PIN 不对，请重新输入。" + (f"还可以再试 {left} 次。" if left > 0 and not locked
                                                      else "已锁定 5 分钟。"))
    with transaction(store.conn):
        store.conn.execute("UPDATE local_users SET failures=0, locked_until=0 WHERE id=?",
                           (cadre_id,))
    return Cadre(cadre_id, name, post)
