"""Encryption at rest below the app (issue #11): SQLCipher files that open only with
their key and hold nothing readable, an older release's plain hub file encrypted in
place, attachments sealed on disk (whole files and partial uploads), and a hub's key
kept out of its data directory."""
from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from pathlib import Path

import pytest

from sync.blobfiles import PARTIAL, SEALED, BlobError, BlobFiles
from sync.db import WrongKey, connect, integrity_problems, is_plain
from sync.hub.dbkey import ENV_KEY, ENV_KEY_FILE, HubKeyError, resolve
from sync.hub.server import open_hub

NAME, PHONE = "王秀英", "13812345678"


def test_a_database_opens_only_with_its_key_and_holds_no_plaintext(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    path = tmp_path / "hub.sqlite"
    conn = connect(path, key)
    conn.execute("CREATE TABLE people(name TEXT, phone TEXT)")
    conn.execute("INSERT INTO people VALUES(?, ?)", (NAME, PHONE))   # sits in the WAL
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert Path(f"{path}-wal").stat().st_size > 0
    assert NAME.encode() not in raw and PHONE.encode() not in raw
    conn.close()
    assert not is_plain(path)
    with pytest.raises(WrongKey, match="密钥不对"):
        connect(path, secrets.token_bytes(32))
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT * FROM people").fetchall()
    again = connect(path, key)
    assert again.execute("SELECT name, phone FROM people").fetchall() == [(NAME, PHONE)]
    assert integrity_problems(again) == []
    again.close()


def test_a_damaged_page_fails_the_check(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    path = tmp_path / "hub.sqlite"
    conn = connect(path, key)
    conn.execute("CREATE TABLE t(x TEXT)")
    conn.executemany("INSERT INTO t VALUES(?)", [("x" * 200,)] * 2000)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as handle:        # one flipped byte in a page of the table
        handle.seek(4096 * 20 + 100)
        byte = handle.read(1)
        handle.seek(4096 * 20 + 100)
        handle.write(bytes([byte[0] ^ 0xFF]))
    damaged = connect(path, key)
    try:
        assert integrity_problems(damaged, quick=True) != []
    finally:
        damaged.close()


def test_an_older_plain_hub_file_is_encrypted_in_place(tmp_path: Path) -> None:
    data = tmp_path / "town"
    data.mkdir()
    plain = sqlite3.connect(data / "hub.sqlite")
    plain.execute("CREATE TABLE legacy(name TEXT)")
    plain.execute("INSERT INTO legacy VALUES(?)", (NAME,))
    plain.commit()
    plain.close()
    (data / "blobs" / "ab").mkdir(parents=True)
    photo = NAME.encode() * 100
    sha = hashlib.sha256(photo).hexdigest()
    (data / "blobs" / sha[:2]).mkdir(exist_ok=True)
    (data / "blobs" / sha[:2] / sha).write_bytes(photo)
    key = secrets.token_bytes(32)
    hub = open_hub(data, "town", "新集镇", key=key)
    try:
        assert hub.conn.execute("SELECT name FROM legacy").fetchall() == [(NAME,)]
        assert hub.meta.get("hub_id")
    finally:
        hub.close()
    assert not is_plain(data / "hub.sqlite")
    raw = b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
    assert NAME.encode() not in raw and b"SQLite format 3" not in raw
    assert (data / "blobs" / sha[:2] / sha).read_bytes().startswith(SEALED)


def test_attachments_are_sealed_whole_and_while_uploading(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    files = BlobFiles(tmp_path / "blobs", key)
    photo = (NAME + PHONE).encode() * 5000
    sha = hashlib.sha256(photo).hexdigest()
    # A resumable upload, chunk by chunk: every chunk sealed as it lands.
    assert files.append(sha, 0, photo[:40000]) == 40000
    with pytest.raises(ValueError):
        files.append(sha, 12345, photo[40000:])            # not where it stopped
    partial = files.partial(sha).read_bytes()
    assert partial.startswith(PARTIAL) and PHONE.encode() not in partial
    # A crash tore the next chunk: it is not counted, and is replaced on resume.
    with open(files.partial(sha), "ab") as handle:
        handle.write(b"\x00\x00\x9c\x40" + os.urandom(500))
    assert files.partial_size(sha) == 40000
    assert files.append(sha, 40000, photo[40000:]) == len(photo)
    assert files.finish(sha)
    on_disk = files.path(sha).read_bytes()
    assert on_disk.startswith(SEALED) and PHONE.encode() not in on_disk
    assert files.read(sha) == photo and files.size(sha) == len(photo)
    assert not files.partial(sha).exists()
    # Same bytes again: one file. Another key: refused, not garbage.
    assert files.put(photo) == sha
    with pytest.raises(BlobError):
        BlobFiles(tmp_path / "blobs", secrets.token_bytes(32)).read(sha)
    # A wrong upload (hash mismatch) is dropped.
    assert files.append("0" * 64, 0, b"not what the name says") == 22
    assert not files.finish("0" * 64) and not files.partial("0" * 64).exists()


def test_a_hub_key_comes_from_outside_the_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "town"
    data.mkdir()
    with pytest.raises(HubKeyError, match="数据目录之外"):
        resolve(data, data / "hub.key", {}, create=True)
    with pytest.raises(HubKeyError, match="数据目录之外"):
        resolve(data, data / "sub" / ".." / "hub.key", {}, create=True)
    (tmp_path / "link").symlink_to(data)
    with pytest.raises(HubKeyError, match="数据目录之外"):
        resolve(data, tmp_path / "link" / "hub.key", {}, create=True)
    assert not (data / "hub.key").exists()
    with pytest.raises(HubKeyError, match="--key-file"):
        resolve(data, None, {})
    made = resolve(data, tmp_path / "keys" / "town.key", {}, create=True)
    assert (tmp_path / "keys" / "town.key").stat().st_mode & 0o777 == 0o600
    assert resolve(data, None, {ENV_KEY_FILE: str(tmp_path / "keys" / "town.key")}) == made
    assert resolve(data, None, {ENV_KEY: made.hex()}) == made
    with pytest.raises(HubKeyError, match="64 个十六进制"):
        resolve(data, None, {ENV_KEY: "not a key"})
    with pytest.raises(HubKeyError, match="找不到密钥文件"):
        resolve(data, tmp_path / "nowhere.key", {})
