"""A hub's database key: 32 random bytes, from a key file or an environment variable,
never from inside the hub's data directory.

Why outside: whatever copies the data directory — `sanji backup`, rsync, a snapshot of
the data volume, a disk pulled from the server — must carry ciphertext only (个人信息保护法
Art 51(三): encryption as a required measure). A key beside the data it locks would
travel with every such copy, and the encryption would protect nothing. So a key file
inside the data directory is refused, and the operator keeps the key somewhere else:
a root-only file such as /etc/sanji/town.key, a secret mount, or the variable set by
the service manager. Lose the key and the database and its backups cannot be opened:
the key file is the one thing to keep a second copy of, apart from the backups.

    SANJI_HUB_KEY        the key itself, 64 hex digits
    SANJI_HUB_KEY_FILE   a file holding it (what --key-file also names)

The file holds the 64 hex digits and a newline; it is created with mode 0600.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from sync.db import KEY_BYTES
from sync.errors import StoreError

ENV_KEY = "SANJI_HUB_KEY"
ENV_KEY_FILE = "SANJI_HUB_KEY_FILE"


class HubKeyError(StoreError):
    """No usable key; the message (Chinese) says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__("hub_key", message)


def parse(text: str, where: str) -> bytes:
    digits = text.strip()
    try:
        key = bytes.fromhex(digits)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise HubKeyError(f"{where} 里不是服务器数据库密钥（应为 64 个十六进制字符）：请核对。")
    return key


def inside(path: Path, data: Path) -> bool:
    """Is `path` in the directory `data` (after following links)?"""
    target, root = path.resolve(), data.resolve()
    return target == root or root in target.parents


def check_place(key_file: Path, data: Path) -> None:
    if inside(key_file, data):
        raise HubKeyError(
            f"密钥文件 {key_file} 在数据目录 {data} 里面：复制或备份数据目录时密钥会跟着走，"
            "加密就白做了。请把密钥文件放到数据目录之外（例如 /etc/sanji/），再用 --key-file "
            "指向它。")


def read_key_file(key_file: Path, data: Path) -> bytes:
    check_place(key_file, data)
    try:
        text = key_file.read_text(encoding="ascii")
    except FileNotFoundError as exc:
        raise HubKeyError(f"找不到密钥文件 {key_file}：请核对路径（新建服务器时 sanji hub init "
                          "会生成它）。") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise HubKeyError(f"读不了密钥文件 {key_file}（{exc}）：请检查文件和权限。") from exc
    return parse(text, f"密钥文件 {key_file}")


def create_key_file(key_file: Path, data: Path) -> bytes:
    """A new random key written to `key_file` (mode 0600); refuses to overwrite one."""
    check_place(key_file, data)
    key = secrets.token_bytes(KEY_BYTES)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise HubKeyError(f"密钥文件 {key_file} 已经存在，不会覆盖。") from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key


def resolve(data: Path, key_file: Path | None, environ: Mapping[str, str],
            create: bool = False) -> bytes:
    """The key for the hub in `data`: --key-file, else SANJI_HUB_KEY_FILE, else
    SANJI_HUB_KEY. With `create` (hub init), a named key file that does not exist yet
    is made."""
    if key_file is None and environ.get(ENV_KEY_FILE, "").strip():
        key_file = Path(environ[ENV_KEY_FILE].strip())
    if key_file is not None:
        if create and not key_file.exists():
            return create_key_file(key_file, data)
        return read_key_file(key_file, data)
    if environ.get(ENV_KEY, "").strip():
        return parse(environ[ENV_KEY], f"环境变量 {ENV_KEY}")
    raise HubKeyError(
        "服务器的数据库是加密的，需要密钥：请用 --key-file 指向数据目录之外的密钥文件"
        f"（新建服务器时会生成），或设置环境变量 {ENV_KEY_FILE}（或 {ENV_KEY}）。")


__all__ = ["ENV_KEY", "ENV_KEY_FILE", "HubKeyError", "check_place", "create_key_file",
           "inside", "parse", "read_key_file", "resolve"]
