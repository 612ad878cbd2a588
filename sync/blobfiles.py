"""Content-addressed files for attachments (photos and scans of signed papers).

A blob's name is its SHA-256, so the same bytes twice are one file, and a finished file
is never rewritten. Uploads land in partial/ and move into place only once their hash
checks, so a torn upload never looks complete. A partial upload that has not grown for
PARTIAL_TTL_S is deleted (issue #7 item 10: unfinished uploads expire); a sender that
comes back later starts that file again from its first byte.

Encrypted at rest (issue #11): a photo of an ID card is as personal as the record that
cites it. With a key (a random 256-bit "files key" kept inside the encrypted database,
see `files_key`, so rekeying the database leaves the files alone), each finished file is
    b"SJB1" | nonce (12) | AES-256-GCM(key, nonce, content, aad = the SHA-256 hex name)
and a partial upload is a sequence of sealed chunks, so not even half a photo lies on
the disk in clear:
    b"SJP1" | n × ( length of the chunk (4, big-endian) | nonce (12) | AES-GCM(chunk,
    aad = name | offset) )
The name (the content's SHA-256) stays visible: it is what the sync protocol calls the
file, and it tells nothing about a photo. A file without the magic is an older release's
plain file: it is still read (its hash checks it) and sealed by `seal_plain_files`.
Without a key the files are plain (engine tests only).
"""
from __future__ import annotations

import hashlib
import os
import secrets
import struct
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sync.limits import MAX_BLOB as MAX_BLOB   # its home before sync.limits

if TYPE_CHECKING:
    from sync.db import Meta

# A week without progress: longer than a village's link is usually down (a holiday week
# included), short enough that abandoned uploads do not fill the hub's disk.
PARTIAL_TTL_S = 7 * 24 * 3600
SEALED, PARTIAL = b"SJB1", b"SJP1"
_NONCE, _TAG, _LEN = 12, 16, 4
FILES_KEY = "files_key"       # meta row (inside the encrypted database) holding the key


def files_key(meta: "Meta") -> bytes:
    """The attachments' key, made on first use and kept in the (encrypted) database."""
    raw = meta.get(FILES_KEY)
    if raw is None:
        raw = secrets.token_bytes(32).hex()
        meta.set(FILES_KEY, raw)
    return bytes.fromhex(raw)


SEALED_ALL = "blobs_sealed"     # meta row: older plain files were sealed (once)


def seal_once(files: "BlobFiles", meta: "Meta") -> int:
    """Seal an older release's plain files, the first time a store is opened with this
    release only (walking every attachment at each start would cost a large station)."""
    if meta.get(SEALED_ALL):
        return 0
    sealed = files.seal_plain_files()
    from sync.db import transaction
    with transaction(meta.conn):
        meta.set(SEALED_ALL, 1)
    return sealed


class BlobError(ValueError):
    """A blob file that does not open: damaged, or sealed with another key."""


class BlobFiles:
    def __init__(self, root: str | Path, key: bytes | None = None) -> None:
        self.root = Path(root)
        self._aead = AESGCM(key) if key is not None else None
        (self.root / "partial").mkdir(parents=True, exist_ok=True)

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def has(self, sha: str) -> bool:
        return self.path(sha).exists()

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self.has(sha):
            partial = self.partial(sha)
            partial.write_bytes(self._seal(sha, data))
            self._finish(sha, partial)
        return sha

    def partial(self, sha: str) -> Path:
        return self.root / "partial" / sha

    def partial_size(self, sha: str) -> int:
        """How many bytes of the upload are held (the content's, not the file's)."""
        partial = self.partial(sha)
        if not partial.exists():
            return 0
        if self._aead is None:
            return partial.stat().st_size
        return sum(length for length, _ in self._scan(partial)[0])

    def expire_partial(self, sha: str, now: float | None = None) -> bool:
        """Delete one partial upload if it has not grown for PARTIAL_TTL_S."""
        return self._expire(self.partial(sha), time.time() if now is None else now)

    def expire_partials(self, now: float | None = None) -> int:
        """Delete every partial upload that has not grown for PARTIAL_TTL_S."""
        now = time.time() if now is None else now
        return sum(self._expire(path, now) for path in (self.root / "partial").iterdir())

    @staticmethod
    def _expire(partial: Path, now: float) -> bool:
        try:
            if now - partial.stat().st_mtime < PARTIAL_TTL_S:
                return False
            partial.unlink()
        except FileNotFoundError:   # finished or expired by another request meanwhile
            return False
        return True

    def append(self, sha: str, offset: int, chunk: bytes) -> int:
        """Append at `offset` (must equal the bytes held); returns the new size."""
        held = self.partial_size(sha)
        if held != offset:
            raise ValueError(held)
        partial = self.partial(sha)
        record = chunk
        if self._aead is not None:
            end = self._scan(partial)[1] if partial.exists() else 0
            if partial.exists() and end < partial.stat().st_size:
                os.truncate(partial, end)       # a chunk torn by a crash: drop it
            nonce = secrets.token_bytes(_NONCE)
            sealed = self._aead.encrypt(nonce, chunk, f"{sha}|{offset}".encode("ascii"))
            record = (PARTIAL if end == 0 else b"") + struct.pack(">I", len(chunk)) + nonce \
                + sealed
        with open(partial, "ab") as handle:
            handle.write(record)
            handle.flush()
            os.fsync(handle.fileno())
        return held + len(chunk)

    def finish(self, sha: str) -> bool:
        """Move a fully uploaded partial into place if its hash checks; else discard it."""
        partial = self.partial(sha)
        if self._aead is None:
            digest = hashlib.sha256()
            with open(partial, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            if digest.hexdigest() != sha:
                partial.unlink()
                return False
            self._finish(sha, partial)
            return True
        data = b"".join(self._open_chunks(sha, partial))
        if hashlib.sha256(data).hexdigest() != sha:
            partial.unlink()
            return False
        partial.write_bytes(self._seal(sha, data))
        self._finish(sha, partial)
        return True

    def _finish(self, sha: str, partial: Path) -> None:
        target = self.path(sha)
        target.parent.mkdir(exist_ok=True)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)

    def read(self, sha: str) -> bytes:
        raw = self.path(sha).read_bytes()
        if not raw.startswith(SEALED):
            if hashlib.sha256(raw).hexdigest() != sha:
                raise BlobError(f"附件 {sha[:12]}… 已损坏（内容与编号不符）。")
            return raw                  # an older release's plain file (see module doc)
        if self._aead is None:
            raise BlobError(f"附件 {sha[:12]}… 是加密的，需要密钥才能打开。")
        start = len(SEALED)
        try:
            return self._aead.decrypt(raw[start:start + _NONCE], raw[start + _NONCE:],
                                      sha.encode("ascii"))
        except InvalidTag as exc:
            raise BlobError(f"附件 {sha[:12]}… 已损坏或不是本机的密钥加密的。") from exc

    def size(self, sha: str) -> int:
        """The content's size (a sealed file is longer by its header, nonce and tag)."""
        size = self.path(sha).stat().st_size
        with open(self.path(sha), "rb") as handle:
            sealed = handle.read(len(SEALED)) == SEALED
        return size - len(SEALED) - _NONCE - _TAG if sealed else size

    def seal_plain_files(self) -> int:
        """Encrypt the finished files an older release left in clear; returns how many.
        Unfinished plain uploads are dropped: the sender resumes from offset 0."""
        if self._aead is None:
            return 0
        sealed = 0
        for folder in self.root.iterdir():
            if folder.name == "partial":
                for partial in folder.iterdir():
                    with open(partial, "rb") as handle:
                        if handle.read(len(PARTIAL)) != PARTIAL:
                            partial.unlink()
                continue
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                with open(path, "rb") as handle:
                    if handle.read(len(SEALED)) == SEALED:
                        continue
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() != path.name:
                    continue            # not ours to touch: leave it for a person to see
                partial = self.partial(path.name)
                partial.write_bytes(self._seal(path.name, data))
                self._finish(path.name, partial)
                sealed += 1
        return sealed

    # sealing ----------------------------------------------------------------------------
    def _seal(self, sha: str, data: bytes) -> bytes:
        if self._aead is None:
            return data
        nonce = secrets.token_bytes(_NONCE)
        return SEALED + nonce + self._aead.encrypt(nonce, data, sha.encode("ascii"))

    def _scan(self, partial: Path) -> tuple[list[tuple[int, int]], int]:
        """(content length, file position of its nonce) of each whole sealed chunk held,
        and where the last whole chunk ends."""
        out: list[tuple[int, int]] = []
        size = partial.stat().st_size
        with open(partial, "rb") as handle:
            if handle.read(len(PARTIAL)) != PARTIAL:
                return out, 0
            end = handle.tell()
            while len(header := handle.read(_LEN)) == _LEN:
                (length,) = struct.unpack(">I", header)
                position = handle.tell()
                if position + _NONCE + length + _TAG > size:
                    break                 # a torn last chunk: not held
                handle.seek(position + _NONCE + length + _TAG)
                out.append((length, position))
                end = handle.tell()
        return out, end

    def _open_chunks(self, sha: str, partial: Path) -> list[bytes]:
        assert self._aead is not None
        parts, offset = [], 0
        with open(partial, "rb") as handle:
            for length, position in self._scan(partial)[0]:
                handle.seek(position)
                blob = handle.read(_NONCE + length + _TAG)
                try:
                    parts.append(self._aead.decrypt(blob[:_NONCE], blob[_NONCE:],
                                                    f"{sha}|{offset}".encode("ascii")))
                except InvalidTag:
                    break
                offset += length
        return parts
